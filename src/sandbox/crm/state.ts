/**
 * In-memory tables of the sandbox portal's CRM, users, notifications and drive. Records keep typed
 * values (numbers for ids and amounts, `YYYY-MM-DD` dates, epoch-ms datetimes); the method modules
 * turn them into the platform's wire shapes. Tests read these tables to see what the service wrote.
 */
import type { Clock } from '../../clock.js';

export interface Multifield {
  ID: number;
  TYPE_ID: 'EMAIL' | 'PHONE' | 'WEB' | 'IM';
  VALUE_TYPE: string;
  VALUE: string;
}

/** Common shape of deals, companies, contacts and smart invoices. */
export interface CrmEntityRecord {
  ID: number;
  /** User-field values by FIELD_NAME (`UF_CRM_…`). */
  UF: Record<string, unknown>;
  /** Multifields (e-mail, phone…) of companies and contacts. */
  FM: Multifield[];
  [field: string]: unknown;
}

export interface DealRecord extends CrmEntityRecord {
  TITLE: string;
  CATEGORY_ID: number;
  STAGE_ID: string;
  COMPANY_ID: number;
  CONTACT_ID: number | null;
  CONTACT_IDS: number[];
  ASSIGNED_BY_ID: number;
  OPPORTUNITY: number;
  CURRENCY_ID: string;
  IS_MANUAL_OPPORTUNITY: 'Y' | 'N';
  TAX_VALUE: number;
  BEGINDATE: string | null;
  CLOSEDATE: string | null;
  CLOSED: 'Y' | 'N';
  DATE_CREATE: number;
  DATE_MODIFY: number;
}

export interface CompanyRecord extends CrmEntityRecord {
  TITLE: string;
  IS_MY_COMPANY: 'Y' | 'N';
  ASSIGNED_BY_ID: number;
}

export interface ContactRecord extends CrmEntityRecord {
  NAME: string | null;
  LAST_NAME: string | null;
  SECOND_NAME: string | null;
  COMPANY_ID: number | null;
  ASSIGNED_BY_ID: number;
}

/** Smart invoice (entityTypeId 31). */
export interface InvoiceRecord extends CrmEntityRecord {
  TITLE: string;
  CATEGORY_ID: number;
  STAGE_ID: string;
  COMPANY_ID: number;
  CONTACT_ID: number | null;
  MYCOMPANY_ID: number;
  PARENT_ID_2: number | null;
  OPPORTUNITY: number;
  CURRENCY_ID: string;
  ACCOUNT_NUMBER: string | null;
  BEGINDATE: string | null;
  CLOSEDATE: string | null;
}

export interface ProductRow {
  id: number;
  ownerType: 'D' | 'SI';
  ownerId: number;
  productId: number;
  productName: string;
  productDescription: string | null;
  /** Unit price after discount, with tax (what the client pays per unit). */
  price: number;
  priceAccount: number;
  /** Unit price after discount, without tax. */
  priceExclusive: number;
  /** Unit price before discount, without tax. */
  priceNetto: number;
  /** Unit price before discount, with tax. */
  priceBrutto: number;
  quantity: number;
  discountTypeId: 1 | 2;
  discountRate: number;
  discountSum: number;
  taxRate: number | null;
  taxIncluded: 'Y' | 'N';
  taxName: string;
  customized: 'Y' | 'N';
  measureCode: number;
  measureName: string;
  sort: number;
  xmlId: string;
  type: number;
}

export interface RequisiteRecord {
  ID: number;
  ENTITY_TYPE_ID: number;
  ENTITY_ID: number;
  PRESET_ID: number;
  NAME: string;
  ACTIVE: 'Y' | 'N';
  [field: string]: unknown;
}

export interface BankDetailRecord {
  ID: number;
  /** Requisite id. */
  ENTITY_ID: number;
  NAME: string;
  [field: string]: unknown;
}

/**
 * An address of a requisite (`crm.address.*`). It has no id of its own: a requisite keeps at most one
 * address per type, so (ENTITY_TYPE_ID, ENTITY_ID, TYPE_ID) identifies it.
 */
export interface AddressRecord {
  /** 1 actual, 4 registered, 6 legal, 8 mailing, 9 beneficiary, 11 delivery. */
  TYPE_ID: number;
  /** 8 = requisite. */
  ENTITY_TYPE_ID: number;
  /** Requisite id. */
  ENTITY_ID: number;
  ADDRESS_1: string | null;
  ADDRESS_2: string | null;
  CITY: string | null;
  POSTAL_CODE: string | null;
  REGION: string | null;
  PROVINCE: string | null;
  COUNTRY: string | null;
  COUNTRY_CODE: string | null;
  LOC_ADDR_ID: number | null;
  /** Owner of the requisite: 4 company or 3 contact, and its id. */
  ANCHOR_TYPE_ID: number;
  ANCHOR_ID: number;
}

/** Requisites chosen for a deal or invoice; 0 = not selected. */
export interface RequisiteLink {
  ENTITY_TYPE_ID: number;
  ENTITY_ID: number;
  REQUISITE_ID: number;
  BANK_DETAIL_ID: number;
  MC_REQUISITE_ID: number;
  MC_BANK_DETAIL_ID: number;
}

export interface UserFieldEnumItem {
  ID: number;
  VALUE: string;
  SORT: number;
  DEF: 'Y' | 'N';
  XML_ID: string;
}

export interface UserFieldDef {
  ID: number;
  ENTITY_ID: string;
  FIELD_NAME: string;
  USER_TYPE_ID: string;
  XML_ID: string | null;
  SORT: number;
  MULTIPLE: 'Y' | 'N';
  MANDATORY: 'Y' | 'N';
  SHOW_FILTER: string;
  SHOW_IN_LIST: 'Y' | 'N';
  EDIT_IN_LIST: 'Y' | 'N';
  IS_SEARCHABLE: 'Y' | 'N';
  SETTINGS: Record<string, unknown>;
  EDIT_FORM_LABEL: string | null;
  LIST_COLUMN_LABEL: string | null;
  LIST_FILTER_LABEL: string | null;
  ERROR_MESSAGE: string | null;
  HELP_MESSAGE: string | null;
  LIST?: UserFieldEnumItem[];
}

export interface Category {
  id: number;
  entityTypeId: number;
  name: string;
  sort: number;
  isDefault: 'Y' | 'N';
}

export type StageSemantics = 'process' | 'success' | 'failure' | 'apology';

export interface StatusRecord {
  ID: number;
  ENTITY_ID: string;
  STATUS_ID: string;
  NAME: string;
  NAME_INIT: string;
  SORT: number;
  SYSTEM: 'Y' | 'N';
  CATEGORY_ID: number | null;
  COLOR: string;
  SEMANTICS: 'S' | 'F' | null;
  EXTRA: { SEMANTICS: StageSemantics; COLOR: string };
  /** Which entity type / category the stage belongs to (not on the wire). */
  entityTypeId: number;
  categoryId: number;
}

export interface TimelineComment {
  ID: number;
  ENTITY_ID: number;
  ENTITY_TYPE: string;
  CREATED: number;
  COMMENT: string;
  AUTHOR_ID: number;
  FILE_IDS: number[];
}

export interface ActivityCommunication {
  ID: number;
  TYPE: string;
  VALUE: string;
  ENTITY_ID: number;
  ENTITY_TYPE_ID: number;
}

export interface Activity {
  ID: number;
  OWNER_ID: number;
  OWNER_TYPE_ID: number;
  TYPE_ID: number;
  PROVIDER_ID: string;
  PROVIDER_TYPE_ID: string;
  SUBJECT: string;
  DESCRIPTION: string;
  DESCRIPTION_TYPE: number;
  DIRECTION: number;
  COMPLETED: 'Y' | 'N';
  STATUS: number;
  PRIORITY: number;
  RESPONSIBLE_ID: number;
  AUTHOR_ID: number;
  EDITOR_ID: number;
  CREATED: number;
  LAST_UPDATED: number;
  START_TIME: number | null;
  END_TIME: number | null;
  DEADLINE: number | null;
  SETTINGS: Record<string, unknown>;
  COMMUNICATIONS: ActivityCommunication[];
  FILE_IDS: number[];
  ORIGIN_ID: string | null;
  ORIGINATOR_ID: string | null;
}

/** An e-mail the portal "sent" (TYPE_ID 4, DIRECTION 2, COMPLETED Y). */
export interface SentEmail {
  activityId: number;
  ownerTypeId: number;
  ownerId: number;
  from: string;
  to: string[];
  subject: string;
  body: string;
  bodyType: number;
  attachments: Array<{ fileId: number; name: string; content: Buffer }>;
  sentAt: number;
}

export interface SandboxNotification {
  id: number;
  kind: 'system' | 'personal';
  userId: number;
  /** The calling user for personal notifications; null for system ones. */
  fromUserId: number | null;
  message: string;
  messageOut: string | null;
  tag: string | null;
  subTag: string | null;
  attach: unknown;
  createdAt: number;
}

export interface SandboxUser {
  ID: number;
  ACTIVE: boolean;
  NAME: string;
  LAST_NAME: string;
  SECOND_NAME: string;
  EMAIL: string;
  WORK_POSITION: string;
  UF_DEPARTMENT: number[];
  IS_ADMIN: boolean;
}

export interface Department {
  ID: number;
  NAME: string;
  SORT: number;
  PARENT: number | null;
  UF_HEAD: number | null;
}

export interface DiskStorage {
  id: number;
  name: string;
  entityType: string;
  entityId: string;
  rootObjectId: number;
}

export interface DiskFolder {
  id: number;
  name: string;
  storageId: number;
  parentId: number | null;
  createdBy: number;
  createdAt: number;
}

export interface DiskFile {
  id: number;
  name: string;
  content: Buffer;
  /** null for files attached to timeline comments, activities or file user fields. */
  folderId: number | null;
  storageId: number | null;
  createdBy: number;
  createdAt: number;
}

export interface CrmState {
  readonly clock: Clock;
  readonly deals: Map<number, DealRecord>;
  readonly companies: Map<number, CompanyRecord>;
  readonly contacts: Map<number, ContactRecord>;
  /** Smart invoices (entityTypeId 31). */
  readonly invoices: Map<number, InvoiceRecord>;
  readonly productRows: ProductRow[];
  readonly requisites: Map<number, RequisiteRecord>;
  readonly bankDetails: Map<number, BankDetailRecord>;
  /** Keyed `${ENTITY_TYPE_ID}:${ENTITY_ID}:${TYPE_ID}`, in the order they were added. */
  readonly addresses: Map<string, AddressRecord>;
  /** Keyed `${entityTypeId}:${entityId}`. */
  readonly requisiteLinks: Map<string, RequisiteLink>;
  readonly userFields: UserFieldDef[];
  readonly categories: Category[];
  readonly statuses: StatusRecord[];
  readonly comments: Map<number, TimelineComment>;
  readonly activities: Map<number, Activity>;
  readonly sentEmails: SentEmail[];
  readonly notifications: SandboxNotification[];
  readonly users: Map<number, SandboxUser>;
  readonly departments: Map<number, Department>;
  readonly disk: {
    storages: Map<number, DiskStorage>;
    folders: Map<number, DiskFolder>;
    files: Map<number, DiskFile>;
  };
  /** Allocates the next id of a sequence (one per table). */
  nextId(sequence: string): number;
  /** Makes the sequence skip past an id that was assigned explicitly (seeding). */
  reserveId(sequence: string, id: number): void;

  productRowsOf(ownerType: 'D' | 'SI', ownerId: number): ProductRow[];
  requisiteLink(entityTypeId: number, entityId: number): RequisiteLink | undefined;
  /** Addresses of a requisite (entityTypeId 8) in the order they were added. */
  addressesOf(entityTypeId: number, entityId: number): AddressRecord[];
  commentsOf(entityType: string, entityId: number): TimelineComment[];
  activitiesOf(ownerTypeId: number, ownerId: number): Activity[];
  notificationsFor(userId: number): SandboxNotification[];
  file(id: number): DiskFile | undefined;
  /** Stages of a pipeline in their order. */
  stagesOf(entityTypeId: number, categoryId: number): StatusRecord[];
}

export function createEmptyState(clock: Clock): CrmState {
  const sequences = new Map<string, number>();
  const state: CrmState = {
    clock,
    deals: new Map(),
    companies: new Map(),
    contacts: new Map(),
    invoices: new Map(),
    productRows: [],
    requisites: new Map(),
    bankDetails: new Map(),
    addresses: new Map(),
    requisiteLinks: new Map(),
    userFields: [],
    categories: [],
    statuses: [],
    comments: new Map(),
    activities: new Map(),
    sentEmails: [],
    notifications: [],
    users: new Map(),
    departments: new Map(),
    disk: { storages: new Map(), folders: new Map(), files: new Map() },
    nextId(sequence) {
      const id = (sequences.get(sequence) ?? 0) + 1;
      sequences.set(sequence, id);
      return id;
    },
    reserveId(sequence, id) {
      if ((sequences.get(sequence) ?? 0) < id) sequences.set(sequence, id);
    },
    productRowsOf(ownerType, ownerId) {
      return state.productRows
        .filter((r) => r.ownerType === ownerType && r.ownerId === ownerId)
        .sort((a, b) => a.sort - b.sort || a.id - b.id);
    },
    requisiteLink(entityTypeId, entityId) {
      return state.requisiteLinks.get(`${entityTypeId}:${entityId}`);
    },
    addressesOf(entityTypeId, entityId) {
      return [...state.addresses.values()].filter((a) => a.ENTITY_TYPE_ID === entityTypeId && a.ENTITY_ID === entityId);
    },
    commentsOf(entityType, entityId) {
      return [...state.comments.values()].filter(
        (c) => c.ENTITY_TYPE === entityType.toLowerCase() && c.ENTITY_ID === entityId,
      );
    },
    activitiesOf(ownerTypeId, ownerId) {
      return [...state.activities.values()].filter((a) => a.OWNER_TYPE_ID === ownerTypeId && a.OWNER_ID === ownerId);
    },
    notificationsFor(userId) {
      return state.notifications.filter((n) => n.userId === userId);
    },
    file(id) {
      return state.disk.files.get(id);
    },
    stagesOf(entityTypeId, categoryId) {
      return state.statuses
        .filter((s) => s.entityTypeId === entityTypeId && s.categoryId === categoryId)
        .sort((a, b) => a.SORT - b.SORT || a.ID - b.ID);
    },
  };
  return state;
}
