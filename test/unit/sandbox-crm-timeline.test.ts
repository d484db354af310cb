import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createCrmMethods, createCrmState, seedDemoPortal, type CrmState, type DemoSeed } from '../../src/sandbox/crm/index.js';
import { SandboxRestError, isListPage, type MethodTable } from '../../src/sandbox/types.js';

const BASE_URL = 'http://127.0.0.1:7777';
let clock: ManualClock;
let state: CrmState;
let seed: DemoSeed;
let methods: MethodTable;

async function call(method: string, params: Record<string, unknown> = {}, userId = 1): Promise<any> {
  const handler = methods[method];
  if (!handler) throw new Error(`no method ${method}`);
  return handler(params, { userId, clock, baseUrl: BASE_URL, hooks: { dealStageChanged: () => undefined } });
}

async function fail(method: string, params: Record<string, unknown> = {}, userId = 1): Promise<SandboxRestError> {
  try {
    await call(method, params, userId);
  } catch (e) {
    if (e instanceof SandboxRestError) return e;
    throw e;
  }
  throw new Error(`${method} did not fail`);
}

async function rows(method: string, params: Record<string, unknown> = {}): Promise<any[]> {
  const result = await call(method, params);
  if (!isListPage(result)) throw new Error(`${method} did not return a list page`);
  return result.items;
}

const PDF = Buffer.from('%PDF-1.7\n% счёт № 1\n%%EOF\n', 'utf8');

beforeEach(() => {
  clock = new ManualClock('2026-03-02T09:00:00Z');
  state = createCrmState(clock);
  seed = seedDemoPortal(state);
  methods = createCrmMethods(state);
});

describe('timeline comments', () => {
  it('store attached files so they can be downloaded', async () => {
    const id = await call('crm.timeline.comment.add', {
      fields: { ENTITY_TYPE: 'deal', ENTITY_ID: seed.deals.tenant, COMMENT: 'Счёт № 1 выставлен', FILES: [['invoice-1.pdf', PDF.toString('base64')]] },
    });
    const comment = await call('crm.timeline.comment.get', { id });
    expect(comment).toMatchObject({ ENTITY_TYPE: 'deal', ENTITY_ID: String(seed.deals.tenant), COMMENT: 'Счёт № 1 выставлен', AUTHOR_ID: '1' });
    const [file] = Object.values(comment.FILES) as any[];
    expect(file).toMatchObject({ name: 'invoice-1.pdf', size: PDF.length, urlDownload: `${BASE_URL}/disk/${file.id}` });
    expect(state.file(file.id)?.content.equals(PDF)).toBe(true);
    const listed = await rows('crm.timeline.comment.list', { filter: { ENTITY_TYPE: 'deal', ENTITY_ID: seed.deals.tenant } });
    expect(listed.map((c) => c.ID)).toEqual([String(id)]);
  });

  it('accept only the lowercase fields key and an existing owner', async () => {
    const upper = await fail('crm.timeline.comment.add', { FIELDS: { ENTITY_TYPE: 'deal', ENTITY_ID: 1, COMMENT: 'x' } });
    expect(upper.code).toBe('100');
    const missing = await fail('crm.timeline.comment.add', { fields: { ENTITY_TYPE: 'deal', ENTITY_ID: 999, COMMENT: 'x' } });
    expect(missing.code).toBe('NOT_FOUND');
    expect(state.comments.size).toBe(0);
  });
});

describe('e-mail activities', () => {
  const email = (extra: Record<string, unknown> = {}) => ({
    fields: {
      OWNER_TYPE_ID: 2,
      OWNER_ID: seed.deals.tenant,
      TYPE_ID: 4,
      DIRECTION: 2,
      COMPLETED: 'Y',
      SUBJECT: 'Счёт на оплату аренды за март 2026',
      DESCRIPTION: 'Добрый день! Счёт во вложении.',
      DESCRIPTION_TYPE: 1,
      RESPONSIBLE_ID: seed.users.manager,
      COMMUNICATIONS: [{ VALUE: 'buh@arendator.example', ENTITY_ID: seed.tenant.contactId, ENTITY_TYPE_ID: 3 }],
      SETTINGS: { MESSAGE_FROM: 'ООО «Арендодатель» <info@arendodatel.example>' },
      FILES: [{ fileData: ['invoice-1.pdf', PDF.toString('base64')] }],
      ...extra,
    },
  });

  it('send with TYPE_ID 4 + DIRECTION 2 + COMPLETED Y and keep the decoded attachment', async () => {
    const id = await call('crm.activity.add', email());
    expect(state.sentEmails).toHaveLength(1);
    const sent = state.sentEmails[0]!;
    expect(sent).toMatchObject({ activityId: id, to: ['buh@arendator.example'], from: 'ООО «Арендодатель» <info@arendodatel.example>' });
    expect(sent.attachments.map((a) => a.name)).toEqual(['invoice-1.pdf']);
    expect(sent.attachments[0]!.content.equals(PDF)).toBe(true);
    const activity = await call('crm.activity.get', { id });
    expect(activity).toMatchObject({ TYPE_ID: '4', DIRECTION: '2', COMPLETED: 'Y', PROVIDER_ID: 'CRM_EMAIL', OWNER_ID: String(seed.deals.tenant) });
    expect(activity.FILES[0].url).toBe(`${BASE_URL}/disk/${activity.FILES[0].id}`);
  });

  it('only record the mail when it is not completed or not outgoing', async () => {
    await call('crm.activity.add', email({ COMPLETED: 'N' }));
    await call('crm.activity.add', email({ DIRECTION: 1 }));
    expect(state.sentEmails).toEqual([]);
    expect(state.activitiesOf(2, seed.deals.tenant)).toHaveLength(2);
  });

  it('require communications, subject and a responsible user', async () => {
    const noComms = await fail('crm.activity.add', email({ COMMUNICATIONS: [] }));
    expect(noComms.description).toBe('The field COMMUNICATIONS is not defined or invalid.');
    const noSubject = await fail('crm.activity.add', email({ SUBJECT: '' }));
    expect(noSubject.description).toBe('The field SUBJECT is not defined or empty.');
    const noUser = await fail('crm.activity.add', email({ RESPONSIBLE_ID: 99 }));
    expect(noUser.description).toBe('The field RESPONSIBLE_ID is not defined or invalid.');
    expect(state.activities.size).toBe(0);
  });

  it('keep the activity but report a send error for a bad address', async () => {
    const e = await fail('crm.activity.add', email({ COMMUNICATIONS: [{ VALUE: 'not-an-address', ENTITY_ID: 1, ENTITY_TYPE_ID: 3 }] }));
    expect(e.description).toBe('Email send error. Invalid email is specified');
    expect(state.activities.size).toBe(1);
    expect(state.sentEmails).toEqual([]);
  });

  it('fall back to the responsible user as the sender', async () => {
    await call('crm.activity.add', email({ SETTINGS: {} }));
    expect(state.sentEmails[0]?.from).toBe('Пётр Петров <petrov@arendodatel.example>');
  });

  it('lists communications only when selected', async () => {
    await call('crm.activity.add', email());
    const [plain] = await rows('crm.activity.list', { filter: { OWNER_TYPE_ID: 2, OWNER_ID: seed.deals.tenant } });
    expect(plain).not.toHaveProperty('COMMUNICATIONS');
    const [withComms] = await rows('crm.activity.list', { filter: { TYPE_ID: 4 }, select: ['ID', 'COMMUNICATIONS'] });
    expect(withComms.COMMUNICATIONS[0].VALUE).toBe('buh@arendator.example');
  });

  it('add to-dos with a deadline', async () => {
    const result = await call('crm.activity.todo.add', {
      ownerTypeId: 2,
      ownerId: seed.deals.tenant,
      deadline: '2026-03-10T12:00:00+03:00',
      title: 'Проверить оплату',
      responsibleId: seed.users.manager,
    });
    expect(result).toEqual({ id: expect.any(Number) });
    expect(state.activities.get(result.id)).toMatchObject({ PROVIDER_ID: 'CRM_TODO', SUBJECT: 'Проверить оплату', RESPONSIBLE_ID: 2 });
    const e = await fail('crm.activity.todo.add', { ownerTypeId: 2, ownerId: 999, deadline: '2026-03-10T12:00:00' });
    expect(e.code).toBe('NOT_FOUND');
  });
});

describe('users, departments, notifications', () => {
  it('find the manager\'s department head', async () => {
    const [manager] = await rows('user.get', { ID: seed.users.manager });
    expect(manager).toMatchObject({ ID: '2', ACTIVE: true, NAME: 'Пётр', LAST_NAME: 'Петров', UF_DEPARTMENT: [2] });
    const [dept] = await rows('department.get', { ID: manager.UF_DEPARTMENT[0] });
    expect(dept).toMatchObject({ NAME: 'Отдел аренды', PARENT: '1', UF_HEAD: '3' });
    const team = await rows('user.get', { FILTER: { UF_DEPARTMENT: 2 } });
    expect(team.map((u) => u.ID)).toEqual(['2', '3']);
    expect((await call('user.current', {}, seed.users.accountant)).LAST_NAME).toBe('Кузнецова');
    expect(await call('user.admin', {}, seed.users.manager)).toBe(false);
  });

  it('excludes dismissed users only when asked', async () => {
    state.users.get(4)!.ACTIVE = false;
    expect(await rows('user.get', {})).toHaveLength(4);
    expect((await rows('user.get', { FILTER: { ACTIVE: true } })).map((u) => u.ID)).toEqual(['1', '2', '3']);
  });

  it('deliver notifications, replacing an earlier one with the same tag', async () => {
    const first = await call('im.notify.system.add', { USER_ID: 3, MESSAGE: 'Счёт № 1 просрочен', TAG: 'overdue|1' });
    const second = await call('im.notify.system.add', { USER_ID: 3, MESSAGE: 'Счёт № 1 просрочен на 3 дня', TAG: 'overdue|1' });
    await call('im.notify.personal.add', { USER_ID: 3, MESSAGE: 'Посмотрите сделку' }, seed.users.manager);
    expect(typeof first).toBe('number');
    expect(state.notificationsFor(3).map((n) => [n.id, n.kind, n.message, n.fromUserId])).toEqual([
      [second, 'system', 'Счёт № 1 просрочен на 3 дня', null],
      [expect.any(Number), 'personal', 'Посмотрите сделку', 2],
    ]);
    const e = await fail('im.notify.system.add', { USER_ID: 3 });
    expect(e.code).toBe('MESSAGE_EMPTY');
  });
});

describe('drive', () => {
  it('gives the app a storage and serves uploaded files by URL', async () => {
    const storage = await call('disk.storage.getForApp'.toLowerCase());
    expect(storage).toMatchObject({ MODULE_ID: 'disk', ENTITY_TYPE: 'restapp' });
    expect((await call('disk.storage.getforapp')).ID).toBe(storage.ID);
    const folder = await call('disk.folder.addsubfolder', { id: storage.ROOT_OBJECT_ID, data: { NAME: 'Счета' } });
    const file = await call('disk.folder.uploadfile', {
      id: folder.ID,
      data: { NAME: 'invoice-1.pdf' },
      fileContent: ['invoice-1.pdf', PDF.toString('base64')],
    });
    expect(file).toMatchObject({ NAME: 'invoice-1.pdf', PARENT_ID: folder.ID, SIZE: String(PDF.length), DOWNLOAD_URL: `${BASE_URL}/disk/${file.ID}` });
    expect(state.file(file.ID)?.content.equals(PDF)).toBe(true);
    const dup = await fail('disk.folder.uploadfile', { id: folder.ID, data: { NAME: 'invoice-1.pdf' }, fileContent: ['x', 'AA=='] });
    expect(dup.code).toBe('DISK_OBJ_22000');
    const renamed = await call('disk.folder.uploadfile', {
      id: folder.ID,
      data: { NAME: 'invoice-1.pdf' },
      fileContent: ['x', 'AA=='],
      generateUniqueName: true,
    });
    expect(renamed.NAME).toBe('invoice-1 (1).pdf');
  });

  it('is for administrators', async () => {
    const e = await fail('disk.storage.getforapp', {}, seed.users.manager);
    expect(e.code).toBe('ACCESS_DENIED');
  });
});
