/**
 * The non-CRM parts of the sandbox portal the service touches: users and departments (for the
 * escalation ladder), notifications, and the application's drive storage.
 */
import { SandboxRestError, listPage, param, type MethodContext, type MethodHandler } from '../types.js';
import { asObject, decodeFileParam, err, isoDateTime, requireId, toInt, toYN } from './format.js';
import { filterRecords, orderRecords, type Resolve } from './query.js';
import type { CrmState, Department, DiskFile, DiskFolder, SandboxUser } from './state.js';

type Table = Record<string, MethodHandler>;

const USER_KINDS: Record<string, 'int' | 'ids' | 'string' | 'char'> = {
  ID: 'int',
  ACTIVE: 'char',
  NAME: 'string',
  LAST_NAME: 'string',
  SECOND_NAME: 'string',
  EMAIL: 'string',
  WORK_POSITION: 'string',
  UF_DEPARTMENT: 'ids',
  USER_TYPE: 'string',
};

const resolveUser: Resolve = (field) => {
  const kind = USER_KINDS[field];
  if (!kind) return undefined;
  return {
    kind,
    get: (u: SandboxUser) => (field === 'ACTIVE' ? (u.ACTIVE ? 'Y' : 'N') : field === 'USER_TYPE' ? 'employee' : u[field as keyof SandboxUser]),
  };
};

function userView(u: SandboxUser): Record<string, unknown> {
  return {
    ID: String(u.ID),
    ACTIVE: u.ACTIVE,
    NAME: u.NAME,
    LAST_NAME: u.LAST_NAME,
    SECOND_NAME: u.SECOND_NAME,
    EMAIL: u.EMAIL,
    WORK_POSITION: u.WORK_POSITION,
    UF_DEPARTMENT: u.UF_DEPARTMENT,
    USER_TYPE: 'employee',
  };
}

const DEPARTMENT_KINDS: Record<string, 'int' | 'string'> = { ID: 'int', NAME: 'string', SORT: 'int', PARENT: 'int', UF_HEAD: 'int' };

const resolveDepartment: Resolve = (field) => {
  const kind = DEPARTMENT_KINDS[field];
  return kind ? { kind, get: (d: Department) => d[field as keyof Department] } : undefined;
};

function departmentView(d: Department): Record<string, unknown> {
  return {
    ID: String(d.ID),
    NAME: d.NAME,
    SORT: d.SORT,
    ...(d.PARENT === null ? {} : { PARENT: String(d.PARENT) }),
    UF_HEAD: String(d.UF_HEAD ?? 0),
  };
}

/** user.get accepts its filter as FILTER/filter or as top-level keys. */
const USER_GET_PARAMS = new Set(['SORT', 'ORDER', 'ADMIN_MODE', 'START', 'FILTER', 'AUTH', 'SELECT']);

function userFilter(params: Record<string, any>): Record<string, unknown> {
  const explicit = param(params, 'filter');
  if (explicit !== undefined) return asObject(explicit);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (!USER_GET_PARAMS.has(k.toUpperCase())) out[k] = v;
  return out;
}

function addNotification(state: CrmState, kind: 'system' | 'personal', params: Record<string, any>, ctx: MethodContext): number {
  const userId = toInt(param(params, 'USER_ID'));
  if (!userId || userId <= 0) throw new SandboxRestError('USER_ID_EMPTY', "User ID can't be empty");
  const message = param(params, 'MESSAGE');
  if (message === undefined || message === null || String(message).trim() === '') {
    throw new SandboxRestError('MESSAGE_EMPTY', "Message can't be empty");
  }
  const tag = param(params, 'TAG');
  // A notification with an existing tag replaces the user's earlier one with that tag.
  if (tag) {
    for (let i = state.notifications.length - 1; i >= 0; i--) {
      const n = state.notifications[i];
      if (n && n.userId === userId && n.tag === String(tag)) state.notifications.splice(i, 1);
    }
  }
  const id = state.nextId('notification');
  state.notifications.push({
    id,
    kind,
    userId,
    fromUserId: kind === 'personal' ? ctx.userId : null,
    message: String(message),
    messageOut: param(params, 'MESSAGE_OUT') ? String(param(params, 'MESSAGE_OUT')) : null,
    tag: tag ? String(tag) : null,
    subTag: param(params, 'SUB_TAG') ? String(param(params, 'SUB_TAG')) : null,
    attach: param(params, 'ATTACH') ?? null,
    createdAt: state.clock.now().getTime(),
  });
  return id;
}

function folderView(state: CrmState, f: DiskFolder): Record<string, unknown> {
  return {
    ID: String(f.id),
    NAME: f.name,
    CODE: null,
    STORAGE_ID: String(f.storageId),
    TYPE: 'folder',
    REAL_OBJECT_ID: String(f.id),
    PARENT_ID: f.parentId === null ? null : String(f.parentId),
    DELETED_TYPE: '0',
    CREATE_TIME: isoDateTime(f.createdAt),
    UPDATE_TIME: isoDateTime(f.createdAt),
    DELETE_TIME: null,
    CREATED_BY: String(f.createdBy),
    UPDATED_BY: String(f.createdBy),
    DELETED_BY: null,
    DETAIL_URL: `${state.disk.storages.get(f.storageId)?.name ?? ''}/${f.name}`,
  };
}

function fileView(f: DiskFile, baseUrl: string): Record<string, unknown> {
  return {
    ID: f.id,
    NAME: f.name,
    CODE: null,
    STORAGE_ID: String(f.storageId ?? 0),
    TYPE: 'file',
    PARENT_ID: f.folderId === null ? null : String(f.folderId),
    DELETED_TYPE: 0,
    GLOBAL_CONTENT_VERSION: 1,
    FILE_ID: f.id,
    SIZE: String(f.content.length),
    CREATE_TIME: isoDateTime(f.createdAt),
    UPDATE_TIME: isoDateTime(f.createdAt),
    DELETE_TIME: null,
    CREATED_BY: String(f.createdBy),
    UPDATED_BY: String(f.createdBy),
    DELETED_BY: null,
    DOWNLOAD_URL: `${baseUrl}/disk/${f.id}`,
    DETAIL_URL: `${baseUrl}/disk/${f.id}`,
  };
}

function childNames(state: CrmState, folderId: number): Set<string> {
  const names = new Set<string>();
  for (const f of state.disk.folders.values()) if (f.parentId === folderId) names.add(f.name.toLowerCase());
  for (const f of state.disk.files.values()) if (f.folderId === folderId) names.add(f.name.toLowerCase());
  return names;
}

/** `invoice.pdf` → `invoice (1).pdf`, as generateUniqueName does. */
function uniqueName(taken: Set<string>, name: string): string {
  if (!taken.has(name.toLowerCase())) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 1; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

function nonUniqueName(): SandboxRestError {
  return new SandboxRestError('DISK_OBJ_22000', 'A file or folder with this name already exists');
}

function addFolder(state: CrmState, storageId: number, parentId: number, name: unknown, userId: number): DiskFolder {
  const folderName = name === undefined || name === null ? '' : String(name).trim();
  if (folderName === '') throw new SandboxRestError('DISK_BASE_SERVICE_22001', 'Error: required parameter NAME (DISK_BASE_SERVICE_22001)');
  if (childNames(state, parentId).has(folderName.toLowerCase())) throw nonUniqueName();
  const folder: DiskFolder = {
    id: state.nextId('diskObject'),
    name: folderName,
    storageId,
    parentId,
    createdBy: userId,
    createdAt: state.clock.now().getTime(),
  };
  state.disk.folders.set(folder.id, folder);
  return folder;
}

/**
 * Stores a file in a drive folder under the platform's naming rules; also the place for the core to
 * land multipart uploads sent to the `uploadUrl` that disk.folder.uploadfile hands out.
 */
export function saveDiskFile(
  state: CrmState,
  folder: DiskFolder,
  name: unknown,
  content: Buffer,
  userId: number,
  generateUniqueName: boolean,
): DiskFile {
  const wanted = name === undefined || name === null ? '' : String(name).trim();
  if (wanted === '') throw new SandboxRestError('DISK_BASE_SERVICE_22001', 'Error: required parameter NAME (DISK_BASE_SERVICE_22001)');
  const taken = childNames(state, folder.id);
  if (!generateUniqueName && taken.has(wanted.toLowerCase())) throw nonUniqueName();
  const file: DiskFile = {
    id: state.nextId('diskObject'),
    name: generateUniqueName ? uniqueName(taken, wanted) : wanted,
    content,
    folderId: folder.id,
    storageId: folder.storageId,
    createdBy: userId,
    createdAt: state.clock.now().getTime(),
  };
  state.disk.files.set(file.id, file);
  return file;
}

export function createPortalMethods(state: CrmState): Table {
  const findFolder = (params: Record<string, any>) => {
    const id = toInt(param(params, 'id'));
    if (id === null) throw new SandboxRestError('ERROR_ARGUMENT', 'Invalid value of parameter {Parameter #0}');
    const folder = state.disk.folders.get(id);
    if (!folder) throw new SandboxRestError('ERROR_NOT_FOUND', `Could not find entity with id '${id}'`);
    return folder;
  };
  return {
    'user.get': (params) => {
      const sort = param(params, 'sort');
      const order = param(params, 'order');
      const users = orderRecords(
        filterRecords([...state.users.values()], userFilter(params), resolveUser),
        sort ? { [String(sort)]: String(order ?? 'ASC') } : {},
        resolveUser,
        (u) => u.ID,
      );
      return listPage(users.map(userView), param(params, 'start'));
    },
    'user.current': (_params, ctx) => {
      const u = state.users.get(ctx.userId);
      if (!u) throw err.accessDenied();
      return userView(u);
    },
    // b24restdocs: api-reference/common/users/profile.md — the calling user's basic profile; ADMIN is a boolean.
    profile: (_params, ctx) => {
      const u = state.users.get(ctx.userId);
      return {
        ID: String(ctx.userId),
        // A portal without seeded users still has its installing admin, user 1.
        ADMIN: u ? u.IS_ADMIN === true : ctx.userId === 1,
        NAME: u?.NAME ?? '',
        LAST_NAME: u?.LAST_NAME ?? '',
        PERSONAL_GENDER: '',
        TIME_ZONE: '',
      };
    },
    'user.admin': (_params, ctx) => state.users.get(ctx.userId)?.IS_ADMIN === true,
    'department.get': (params) => {
      const filter: Record<string, unknown> = {};
      for (const k of ['ID', 'NAME', 'PARENT', 'UF_HEAD']) {
        const v = param(params, k);
        if (v !== undefined) filter[k] = v;
      }
      const sort = param(params, 'sort');
      const rows = orderRecords(
        filterRecords([...state.departments.values()], filter, resolveDepartment),
        sort ? { [String(sort)]: String(param(params, 'order') ?? 'ASC') } : {},
        resolveDepartment,
        (d) => d.ID,
      );
      return listPage(rows.map(departmentView), param(params, 'START') ?? param(params, 'start'));
    },
    'im.notify.system.add': (params, ctx) => addNotification(state, 'system', params, ctx),
    'im.notify.personal.add': (params, ctx) => addNotification(state, 'personal', params, ctx),
    'im.notify': (params, ctx) =>
      addNotification(state, String(param(params, 'type') ?? '').toUpperCase() === 'SYSTEM' ? 'system' : 'personal', params, ctx),
    'disk.storage.getforapp': (_params, ctx) => {
      // The method is for administrators (in application context, which the core checks).
      if (!state.users.get(ctx.userId)?.IS_ADMIN) throw err.accessDenied('Access denied');
      let storage = [...state.disk.storages.values()].find((s) => s.entityType === 'restapp');
      if (!storage) {
        const id = state.nextId('diskStorage');
        const root: DiskFolder = {
          id: state.nextId('diskObject'),
          name: 'b24-qr-billing',
          storageId: id,
          parentId: null,
          createdBy: ctx.userId,
          createdAt: state.clock.now().getTime(),
        };
        state.disk.folders.set(root.id, root);
        storage = { id, name: 'b24-qr-billing', entityType: 'restapp', entityId: '1', rootObjectId: root.id };
        state.disk.storages.set(id, storage);
      }
      return {
        ID: String(storage.id),
        NAME: storage.name,
        CODE: null,
        MODULE_ID: 'disk',
        ENTITY_TYPE: storage.entityType,
        ENTITY_ID: storage.entityId,
        ROOT_OBJECT_ID: String(storage.rootObjectId),
      };
    },
    'disk.storage.addfolder': (params, ctx) => {
      const id = toInt(param(params, 'id'));
      const storage = id === null ? undefined : state.disk.storages.get(id);
      if (!storage) throw new SandboxRestError('ERROR_NOT_FOUND', `Could not find entity with id '${String(id)}'`);
      return folderView(state, addFolder(state, storage.id, storage.rootObjectId, asObject(param(params, 'data')).NAME, ctx.userId));
    },
    'disk.folder.get': (params) => folderView(state, findFolder(params)),
    'disk.folder.addsubfolder': (params, ctx) => {
      const parent = findFolder(params);
      return folderView(state, addFolder(state, parent.storageId, parent.id, asObject(param(params, 'data')).NAME, ctx.userId));
    },
    'disk.folder.getchildren': (params, ctx) => {
      const folder = findFolder(params);
      const folders = [...state.disk.folders.values()].filter((f) => f.parentId === folder.id).map((f) => folderView(state, f));
      const files = [...state.disk.files.values()].filter((f) => f.folderId === folder.id).map((f) => fileView(f, ctx.baseUrl));
      return listPage([...folders, ...files], param(params, 'start'));
    },
    'disk.folder.uploadfile': (params, ctx) => {
      const folder = findFolder(params);
      const data = asObject(param(params, 'data'));
      const content = param(params, 'fileContent');
      if (content === undefined) {
        // Without fileContent the platform hands out a multipart upload URL instead.
        return { field: 'file', uploadUrl: `${ctx.baseUrl}/disk/upload/${folder.id}` };
      }
      const decoded = decodeFileParam(content);
      if (!decoded) throw new SandboxRestError('ERROR_COULD_NOT_SAVE_FILE', 'Could not save file');
      const file = saveDiskFile(state, folder, data.NAME, decoded.content, ctx.userId, toYN(param(params, 'generateUniqueName')) === 'Y');
      return fileView(file, ctx.baseUrl);
    },
    'disk.file.get': (params, ctx) => {
      const file = state.disk.files.get(requireId(param(params, 'id'), 'id'));
      if (!file) throw new SandboxRestError('ERROR_NOT_FOUND', `Could not find entity with id '${String(param(params, 'id'))}'`);
      return fileView(file, ctx.baseUrl);
    },
  };
}
