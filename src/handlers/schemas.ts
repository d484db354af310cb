/** JSON schemas shared by route plugins. */

/** Every refusal: a stable machine code and a sentence for a person. */
export const errorReply = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error'],
} as const;
