/**
 * Timeline: comments (crm.timeline.comment.*) and activities (crm.activity.*, crm.activity.todo.add).
 * An e-mail activity is "sent" only when TYPE_ID 4, DIRECTION 2 and COMPLETED 'Y' come together; the
 * sandbox records such mails with their decoded attachments in `state.sentEmails`.
 */
import { SandboxRestError, listPage, param, type MethodContext, type MethodHandler } from '../types.js';
import { classicValue, f, type FieldSpec } from './fieldSpec.js';
import { asArray, asObject, decodeFileParam, err, isoDateTime, parseDateTime, requireId, toInt, toYN } from './format.js';
import { classicSelect, filterRecords, orderRecords, type Resolve } from './query.js';
import type { Activity, ActivityCommunication, CrmState, TimelineComment } from './state.js';
import { storeLooseFile } from './userFields.js';
import { specResolver } from './specRecords.js';

type Table = Record<string, MethodHandler>;

/** Timeline ENTITY_TYPE names → entityTypeId. */
const TIMELINE_TYPES: Record<string, number> = {
  deal: 2,
  contact: 3,
  company: 4,
  smart_invoice: 31,
  dynamic_31: 31,
};

export function ownerExists(state: CrmState, entityTypeId: number, id: number): boolean {
  switch (entityTypeId) {
    case 2:
      return state.deals.has(id);
    case 3:
      return state.contacts.has(id);
    case 4:
      return state.companies.has(id);
    case 31:
      return state.invoices.has(id);
    default:
      return false;
  }
}

function userName(state: CrmState, id: number): string {
  const u = state.users.get(id);
  return u ? `${u.NAME} ${u.LAST_NAME}`.trim() : '';
}

function fileView(state: CrmState, id: number, baseUrl: string): Record<string, unknown> | null {
  const file = state.disk.files.get(id);
  if (!file) return null;
  const url = `${baseUrl}/disk/${id}`;
  return {
    id,
    date: isoDateTime(file.createdAt),
    type: 'file',
    name: file.name,
    size: file.content.length,
    authorId: file.createdBy,
    authorName: userName(state, file.createdBy),
    urlPreview: null,
    urlShow: url,
    urlDownload: url,
  };
}

function commentView(state: CrmState, c: TimelineComment, baseUrl: string): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const id of c.FILE_IDS) {
    const v = fileView(state, id, baseUrl);
    if (v) files[String(id)] = v;
  }
  return {
    ID: String(c.ID),
    ENTITY_ID: String(c.ENTITY_ID),
    ENTITY_TYPE: c.ENTITY_TYPE,
    CREATED: isoDateTime(c.CREATED),
    COMMENT: c.COMMENT,
    AUTHOR_ID: String(c.AUTHOR_ID),
    ...(c.FILE_IDS.length > 0 ? { FILES: files } : {}),
  };
}

function storeFiles(state: CrmState, raw: unknown, userId: number): number[] {
  const ids: number[] = [];
  for (const entry of asArray(raw)) {
    const file = decodeFileParam(entry);
    if (file) ids.push(storeLooseFile(state, file.name, file.content, userId));
  }
  return ids;
}

const COMMENT_KINDS: Record<string, 'int' | 'string' | 'datetime'> = {
  ID: 'int',
  ENTITY_ID: 'int',
  ENTITY_TYPE: 'string',
  CREATED: 'datetime',
  AUTHOR_ID: 'int',
  COMMENT: 'string',
};

const resolveComment: Resolve = (field) => {
  const kind = COMMENT_KINDS[field];
  return kind ? { kind, get: (c: TimelineComment) => (c as unknown as Record<string, unknown>)[field] } : undefined;
};

const ACTIVITY_FIELDS: FieldSpec[] = [
  f('ID', 'id', 'int', 'integer', 'ID'),
  f('OWNER_ID', 'ownerId', 'int', 'integer', 'Owner'),
  f('OWNER_TYPE_ID', 'ownerTypeId', 'int', 'integer', 'Owner type'),
  f('TYPE_ID', 'typeId', 'int', 'integer', 'Type'),
  f('PROVIDER_ID', 'providerId', 'string', 'string', 'Provider'),
  f('PROVIDER_TYPE_ID', 'providerTypeId', 'string', 'string', 'Provider type'),
  f('SUBJECT', 'subject', 'string', 'string', 'Subject'),
  f('CREATED', 'created', 'datetime', 'datetime', 'Created'),
  f('LAST_UPDATED', 'lastUpdated', 'datetime', 'datetime', 'Updated'),
  f('START_TIME', 'startTime', 'datetime', 'datetime', 'Start'),
  f('END_TIME', 'endTime', 'datetime', 'datetime', 'End'),
  f('DEADLINE', 'deadline', 'datetime', 'datetime', 'Deadline'),
  f('COMPLETED', 'completed', 'char', 'char', 'Completed'),
  f('STATUS', 'status', 'int', 'integer', 'Status'),
  f('RESPONSIBLE_ID', 'responsibleId', 'int', 'user', 'Responsible'),
  f('PRIORITY', 'priority', 'int', 'integer', 'Priority'),
  f('DESCRIPTION', 'description', 'string', 'string', 'Description'),
  f('DESCRIPTION_TYPE', 'descriptionType', 'int', 'integer', 'Description type'),
  f('DIRECTION', 'direction', 'int', 'integer', 'Direction'),
  f('SETTINGS', 'settings', 'object', 'object', 'Settings'),
  f('ORIGINATOR_ID', 'originatorId', 'string', 'string', 'Originator'),
  f('ORIGIN_ID', 'originId', 'string', 'string', 'Origin'),
  f('AUTHOR_ID', 'authorId', 'int', 'user', 'Author'),
  f('EDITOR_ID', 'editorId', 'int', 'user', 'Editor'),
];

const resolveActivity: Resolve = specResolver(ACTIVITY_FIELDS);

function activityView(a: Activity, baseUrl: string, keys?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of ACTIVITY_FIELDS) {
    if (keys && !keys.has(spec.name)) continue;
    out[spec.name] = classicValue(spec.kind, (a as unknown as Record<string, unknown>)[spec.name]);
  }
  if (!keys || keys.has('COMMUNICATIONS')) {
    out.COMMUNICATIONS = a.COMMUNICATIONS.map((c) => ({
      ID: String(c.ID),
      TYPE: c.TYPE,
      VALUE: c.VALUE,
      ENTITY_ID: String(c.ENTITY_ID),
      ENTITY_TYPE_ID: String(c.ENTITY_TYPE_ID),
    }));
  }
  if (!keys || keys.has('FILES')) out.FILES = a.FILE_IDS.map((id) => ({ id, url: `${baseUrl}/disk/${id}` }));
  return out;
}

const PROVIDERS: Record<number, [string, string]> = {
  1: ['CRM_MEETING', 'MEETING'],
  2: ['VOXIMPLANT_CALL', 'CALL'],
  3: ['TASKS', 'TASK'],
  4: ['CRM_EMAIL', 'EMAIL'],
};

const EMAIL_RE = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** `Name <addr@x>` or a bare address → the address, or null. */
function addressOf(from: string): string | null {
  const m = /<([^>]+)>/.exec(from);
  const addr = (m ? m[1] : from)?.trim() ?? '';
  return EMAIL_RE.test(addr) ? addr : null;
}

function sendEmail(state: CrmState, a: Activity): void {
  const responsible = state.users.get(a.RESPONSIBLE_ID);
  const configured = typeof a.SETTINGS.MESSAGE_FROM === 'string' ? a.SETTINGS.MESSAGE_FROM : '';
  const from =
    configured !== ''
      ? configured
      : responsible?.EMAIL
        ? `${responsible.NAME} ${responsible.LAST_NAME} <${responsible.EMAIL}>`.trim()
        : '';
  if (from === '' || addressOf(from) === null) throw err.argument('Email send error. "From" is not found');
  const to = a.COMMUNICATIONS.map((c) => c.VALUE.trim()).filter((v) => v !== '');
  if (to.length === 0) throw err.argument('Email send error. "To" is not found');
  if (to.some((v) => !EMAIL_RE.test(v))) throw err.argument('Email send error. Invalid email is specified');
  state.sentEmails.push({
    activityId: a.ID,
    ownerTypeId: a.OWNER_TYPE_ID,
    ownerId: a.OWNER_ID,
    from,
    to,
    subject: a.SUBJECT,
    body: a.DESCRIPTION,
    bodyType: a.DESCRIPTION_TYPE,
    attachments: a.FILE_IDS.map((id) => {
      const file = state.disk.files.get(id);
      return { fileId: id, name: file?.name ?? '', content: file?.content ?? Buffer.alloc(0) };
    }),
    sentAt: state.clock.now().getTime(),
  });
}

function addActivity(state: CrmState, fields: Record<string, any>, ctx: MethodContext): number {
  const typeId = toInt(fields.TYPE_ID);
  if (!typeId || typeId <= 0) throw err.argument('The field TYPE_ID is not defined or invalid.');
  const subject = fields.SUBJECT === undefined || fields.SUBJECT === null ? '' : String(fields.SUBJECT);
  if (subject.trim() === '') throw err.argument('The field SUBJECT is not defined or empty.');
  const responsibleId = toInt(fields.RESPONSIBLE_ID);
  if (!responsibleId || !state.users.has(responsibleId)) throw err.argument('The field RESPONSIBLE_ID is not defined or invalid.');
  const rawComms = asArray(fields.COMMUNICATIONS).map(asObject);
  if (rawComms.length === 0) throw err.argument('The field COMMUNICATIONS is not defined or invalid.');
  if ((typeId === 1 || typeId === 2) && rawComms.length > 1) {
    throw err.argument('The only one communication is allowed for activity of specified type.');
  }
  const first = rawComms[0] ?? {};
  const ownerTypeId = toInt(fields.OWNER_TYPE_ID) ?? toInt(first.ENTITY_TYPE_ID);
  const ownerId = toInt(fields.OWNER_ID) ?? toInt(first.ENTITY_ID);
  if (!ownerTypeId || !ownerId || !ownerExists(state, ownerTypeId, ownerId)) {
    throw err.argument('Could not build binding. Please ensure that owner info and communications are defined correctly.');
  }
  const commType = typeId === 4 ? 'EMAIL' : typeId === 2 ? 'PHONE' : '';
  const communications: ActivityCommunication[] = rawComms.map((c) => ({
    ID: state.nextId('activityCommunication'),
    TYPE: c.TYPE ? String(c.TYPE) : commType,
    VALUE: c.VALUE === undefined || c.VALUE === null ? '' : String(c.VALUE),
    ENTITY_ID: toInt(c.ENTITY_ID) ?? ownerId,
    ENTITY_TYPE_ID: toInt(c.ENTITY_TYPE_ID) ?? ownerTypeId,
  }));
  const now = state.clock.now().getTime();
  const start = parseDateTime(fields.START_TIME) ?? now;
  const end = parseDateTime(fields.END_TIME) ?? start;
  const completed = toYN(fields.COMPLETED);
  const provider = PROVIDERS[typeId] ?? [String(fields.PROVIDER_ID ?? ''), String(fields.PROVIDER_TYPE_ID ?? '')];
  const activity: Activity = {
    ID: state.nextId('activity'),
    OWNER_ID: ownerId,
    OWNER_TYPE_ID: ownerTypeId,
    TYPE_ID: typeId,
    PROVIDER_ID: provider[0],
    PROVIDER_TYPE_ID: provider[1],
    SUBJECT: subject,
    DESCRIPTION: fields.DESCRIPTION === undefined || fields.DESCRIPTION === null ? '' : String(fields.DESCRIPTION),
    DESCRIPTION_TYPE: toInt(fields.DESCRIPTION_TYPE) ?? 1,
    DIRECTION: toInt(fields.DIRECTION) ?? 0,
    COMPLETED: completed,
    STATUS: completed === 'Y' ? 2 : 1,
    PRIORITY: toInt(fields.PRIORITY) ?? 2,
    RESPONSIBLE_ID: responsibleId,
    AUTHOR_ID: ctx.userId,
    EDITOR_ID: ctx.userId,
    CREATED: now,
    LAST_UPDATED: now,
    START_TIME: start,
    END_TIME: end,
    DEADLINE: typeId === 1 || typeId === 2 ? start : end,
    SETTINGS: asObject(fields.SETTINGS),
    COMMUNICATIONS: communications,
    FILE_IDS: storeFiles(state, fields.FILES, ctx.userId),
    ORIGIN_ID: fields.ORIGIN_ID ? String(fields.ORIGIN_ID) : null,
    ORIGINATOR_ID: fields.ORIGINATOR_ID ? String(fields.ORIGINATOR_ID) : null,
  };
  state.activities.set(activity.ID, activity);
  // The activity stays even when sending fails: the platform reports "Email send error. …" after saving.
  if (typeId === 4 && activity.DIRECTION === 2 && completed === 'Y') sendEmail(state, activity);
  return activity.ID;
}

export function createTimelineMethods(state: CrmState): Table {
  const findComment = (params: Record<string, any>) => {
    const c = state.comments.get(requireId(param(params, 'id')));
    if (!c) throw err.notFound('Not found.');
    return c;
  };
  const findActivity = (params: Record<string, any>) => {
    const a = state.activities.get(requireId(param(params, 'id')));
    if (!a) throw err.notFound();
    return a;
  };
  return {
    'crm.timeline.comment.add': (params, ctx) => {
      // Since crm 23.100 only the lowercase key is read.
      if (params.fields === undefined) throw new SandboxRestError('100', 'Could not find value for parameter {fields}');
      const fields = asObject(params.fields);
      const entityType = String(fields.ENTITY_TYPE ?? '').toLowerCase();
      const entityId = toInt(fields.ENTITY_ID);
      if (!entityType || !entityId) throw new SandboxRestError('100', 'Required fields ENTITY_ID and ENTITY_TYPE are not set');
      const entityTypeId = TIMELINE_TYPES[entityType];
      if (!entityTypeId || !ownerExists(state, entityTypeId, entityId)) throw err.notFound('Not found.');
      const text = fields.COMMENT === undefined || fields.COMMENT === null ? '' : String(fields.COMMENT);
      if (text.trim() === '') throw new SandboxRestError('INVALID_ARG_VALUE', 'Empty comment');
      const authorId = toInt(fields.AUTHOR_ID) ?? ctx.userId;
      const comment: TimelineComment = {
        ID: state.nextId('timelineComment'),
        ENTITY_ID: entityId,
        ENTITY_TYPE: entityType,
        CREATED: state.clock.now().getTime(),
        COMMENT: text,
        AUTHOR_ID: authorId,
        FILE_IDS: storeFiles(state, fields.FILES, authorId),
      };
      state.comments.set(comment.ID, comment);
      return comment.ID;
    },
    'crm.timeline.comment.get': (params, ctx) => commentView(state, findComment(params), ctx.baseUrl),
    'crm.timeline.comment.list': (params, ctx) => {
      const rows = orderRecords(
        filterRecords([...state.comments.values()], param(params, 'filter'), resolveComment),
        param(params, 'order') ?? { CREATED: 'DESC' },
        resolveComment,
        (c) => c.ID,
      );
      return listPage(
        rows.map((c) => commentView(state, c, ctx.baseUrl)),
        param(params, 'start'),
      );
    },
    'crm.timeline.comment.update': (params, ctx) => {
      const c = findComment(params);
      const fields = asObject(params.fields);
      if (fields.COMMENT !== undefined) c.COMMENT = String(fields.COMMENT);
      if (fields.FILES !== undefined) c.FILE_IDS = storeFiles(state, fields.FILES, ctx.userId);
      return c.ID;
    },
    'crm.timeline.comment.delete': (params) => {
      state.comments.delete(findComment(params).ID);
      return true;
    },
    'crm.activity.add': (params, ctx) => addActivity(state, asObject(param(params, 'fields')), ctx),
    'crm.activity.get': (params, ctx) => activityView(findActivity(params), ctx.baseUrl),
    'crm.activity.list': (params, ctx) => {
      const rows = orderRecords(
        filterRecords([...state.activities.values()], param(params, 'filter'), resolveActivity),
        param(params, 'order'),
        resolveActivity,
        (a) => a.ID,
      );
      const names = ACTIVITY_FIELDS.map((s) => s.name);
      const keys = classicSelect(param(params, 'select'), names, [], new Set([...names, 'COMMUNICATIONS', 'FILES']));
      return listPage(
        rows.map((a) => activityView(a, ctx.baseUrl, keys)),
        param(params, 'start'),
      );
    },
    'crm.activity.update': (params, ctx) => {
      const a = findActivity(params);
      const fields = asObject(param(params, 'fields'));
      if (fields.SUBJECT !== undefined) a.SUBJECT = String(fields.SUBJECT);
      if (fields.DESCRIPTION !== undefined) a.DESCRIPTION = String(fields.DESCRIPTION);
      if (fields.RESPONSIBLE_ID !== undefined) a.RESPONSIBLE_ID = toInt(fields.RESPONSIBLE_ID) ?? a.RESPONSIBLE_ID;
      if (fields.DEADLINE !== undefined) a.DEADLINE = parseDateTime(fields.DEADLINE);
      if (fields.COMPLETED !== undefined) {
        a.COMPLETED = toYN(fields.COMPLETED);
        a.STATUS = a.COMPLETED === 'Y' ? 2 : 1;
      }
      a.EDITOR_ID = ctx.userId;
      a.LAST_UPDATED = state.clock.now().getTime();
      return true;
    },
    'crm.activity.delete': (params) => {
      state.activities.delete(findActivity(params).ID);
      return true;
    },
    'crm.activity.todo.add': (params, ctx) => {
      const ownerTypeId = toInt(param(params, 'ownerTypeId'));
      const ownerId = toInt(param(params, 'ownerId'));
      const rawDeadline = param(params, 'deadline');
      if (!ownerTypeId || !ownerId || rawDeadline === undefined || rawDeadline === '') {
        throw new SandboxRestError('100', 'Required parameters ownerTypeId, ownerId and deadline are not set');
      }
      const deadline = parseDateTime(rawDeadline);
      if (deadline === null) throw new SandboxRestError('WRONG_DATETIME_FORMAT', 'Wrong datetime format');
      if (!ownerExists(state, ownerTypeId, ownerId)) throw err.notFound('Not found.');
      const now = state.clock.now().getTime();
      const responsibleId = toInt(param(params, 'responsibleId')) ?? ctx.userId;
      const activity: Activity = {
        ID: state.nextId('activity'),
        OWNER_ID: ownerId,
        OWNER_TYPE_ID: ownerTypeId,
        TYPE_ID: 6,
        PROVIDER_ID: 'CRM_TODO',
        PROVIDER_TYPE_ID: 'TODO',
        SUBJECT: String(param(params, 'title') ?? ''),
        DESCRIPTION: String(param(params, 'description') ?? ''),
        DESCRIPTION_TYPE: 1,
        DIRECTION: 0,
        COMPLETED: 'N',
        STATUS: 1,
        PRIORITY: 2,
        RESPONSIBLE_ID: responsibleId,
        AUTHOR_ID: ctx.userId,
        EDITOR_ID: ctx.userId,
        CREATED: now,
        LAST_UPDATED: now,
        START_TIME: now,
        END_TIME: deadline,
        DEADLINE: deadline,
        SETTINGS: {
          pingOffsets: asArray(param(params, 'pingOffsets')).map(Number),
          colorId: toInt(param(params, 'colorId')),
          parentActivityId: toInt(param(params, 'parentActivityId')),
        },
        COMMUNICATIONS: [],
        FILE_IDS: [],
        ORIGIN_ID: null,
        ORIGINATOR_ID: null,
      };
      state.activities.set(activity.ID, activity);
      return { id: activity.ID };
    },
  };
}
