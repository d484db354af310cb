import type { BitrixClient } from '../bitrix/client.js';

/** How a manager's head was found (or why not), for the log and the deal's timeline. */
export type HeadLookup =
  | { found: true; headId: number; departmentId: number; walkedUp: number }
  | { found: false; reason: 'no_user' | 'no_department' | 'no_head' };

interface Department {
  ID?: unknown;
  PARENT?: unknown;
  UF_HEAD?: unknown;
}

/**
 * The head of a user along the org structure: the head of the user's first department (user.get → UF_DEPARTMENT →
 * department.get → UF_HEAD), walking up to the parent department while the user heads it himself or it has no
 * head (b24restdocs: api-reference/departments/department-get.md, api-reference/user/user-get.md).
 */
export async function findHead(client: BitrixClient, userId: number): Promise<HeadLookup> {
  const users = (await client.call('user.get', { ID: userId })) as Array<{ UF_DEPARTMENT?: unknown }> | undefined;
  const user = Array.isArray(users) ? users[0] : undefined;
  if (!user) return { found: false, reason: 'no_user' };
  const departments = Array.isArray(user.UF_DEPARTMENT) ? user.UF_DEPARTMENT.map(Number).filter((n) => n > 0) : [];
  let departmentId = departments[0];
  if (!departmentId) return { found: false, reason: 'no_department' };
  const seen = new Set<number>();
  for (let walkedUp = 0; departmentId && !seen.has(departmentId); walkedUp++) {
    seen.add(departmentId);
    const rows = (await client.call('department.get', { ID: departmentId })) as Department[] | undefined;
    const dept = Array.isArray(rows) ? rows[0] : undefined;
    if (!dept) break;
    const head = Number(dept.UF_HEAD ?? 0);
    if (head > 0 && head !== userId) return { found: true, headId: head, departmentId, walkedUp };
    departmentId = Number(dept.PARENT ?? 0) || undefined;
  }
  return { found: false, reason: 'no_head' };
}
