import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/portal.js';
import { rest, restForm, startTestSandbox } from './sandbox-test-kit.js';

let sb: Sandbox;
afterEach(async () => {
  await sb?.close();
});

describe('sandbox batch', () => {
  it('runs commands in order with $result references and reports each outcome', async () => {
    sb = await startTestSandbox();
    const { access_token } = sb.issueTokens();
    const answer = await rest(
      sb,
      'batch',
      {
        halt: 0,
        cmd: {
          deal: 'crm.deal.add?fields[TITLE]=Аренда&fields[COMMENTS]=март',
          again: 'crm.deal.get?id=$result[deal]',
          list: 'crm.deal.list?start=0',
          copy: 'crm.deal.add?fields[TITLE]=copy of $result[again][TITLE]&fields[COMMENTS]=after $result[list][0][ID]',
          broken: 'crm.deal.get?id=999',
          nested: 'batch?cmd[x]=crm.deal.list',
          upload: 'disk.folder.uploadfile?id=1',
        },
      },
      access_token,
    );
    expect(answer.status).toBe(200);
    const r = answer.body.result;
    expect(r.result.deal).toBe(1);
    expect(r.result.again).toMatchObject({ ID: '1', TITLE: 'Аренда', COMMENTS: 'март' });
    expect(r.result.list).toHaveLength(1);
    expect(r.result_total).toEqual({ list: 1 });
    expect(sb.crm.deals.get(2)).toMatchObject({ TITLE: 'copy of Аренда', COMMENTS: 'after 1' });
    expect(r.result_error.broken.error).toEqual(expect.any(String));
    expect(r.result_error.nested.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
    expect(r.result_error.upload.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
    expect(Object.keys(r.result_time)).toEqual(['deal', 'again', 'list', 'copy']);
    // One HTTP request, each command recorded as part of it.
    expect(sb.requests().filter((x) => !x.inBatch).map((x) => x.method)).toEqual(['batch']);
    expect(sb.requests().filter((x) => x.inBatch)).toHaveLength(7);
  });

  it('stops at the first error with halt, accepts an array of commands in a form body, and refuses more than 50', async () => {
    sb = await startTestSandbox();
    const { access_token } = sb.issueTokens();
    const halted = await restForm(
      sb,
      'batch',
      { halt: 1, cmd: ['crm.deal.add?fields[TITLE]=a', 'crm.deal.get?id=42', 'crm.deal.add?fields[TITLE]=b'] },
      access_token,
    );
    expect(halted.body.result.result).toEqual([1]);
    expect(Object.keys(halted.body.result.result_error)).toEqual(['1']);
    expect(sb.crm.deals.size).toBe(1);

    const tooMany = Array.from({ length: 51 }, () => 'crm.deal.list');
    expect(await rest(sb, 'batch', { cmd: tooMany }, access_token)).toMatchObject({
      status: 400,
      body: { error: 'ERROR_BATCH_LENGTH_EXCEEDED' },
    });
  });
});
