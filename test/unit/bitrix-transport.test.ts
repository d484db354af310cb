import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../src/bitrix/transport.js';

describe('classifying portal answers', () => {
  it('keeps the platform text of CRM errors that come with an empty error code', () => {
    expect(classifyResponse(400, { error: '', error_description: 'Email send error. "From" is not found.' })).toMatchObject({
      kind: 'error',
      code: 'ERROR_CORE',
      description: 'Email send error. "From" is not found.',
    });
  });

  it('reads documented error codes and tells a proxy page from a platform answer', () => {
    expect(classifyResponse(503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' })).toMatchObject({
      code: 'QUERY_LIMIT_EXCEEDED',
    });
    expect(classifyResponse(502, '<html>Bad Gateway</html>')).toMatchObject({ code: 'HTTP_ERROR' });
    expect(classifyResponse(200, { result: true })).toMatchObject({ kind: 'ok' });
  });
});
