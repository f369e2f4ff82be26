// The transactional line every bench scenario logs, so each one measures the same five fields.

/** Five fields of an audit line, one of them varying with `i` as real organization ids would. */
export const fiveFields = (i: number) => ({
  organizationId: `org-${i % 100}`,
  userEmail: 'ada@example.com',
  plan: 'team',
  seats: 12,
  actor: 'u-42',
});
