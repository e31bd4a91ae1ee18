import { UserRevocation } from './user-revocation.js';

describe('UserRevocation', () => {
  it('runs every listener, even after one fails, then rejects with the failure', async () => {
    const revocation = new UserRevocation();
    const calls: string[] = [];
    revocation.subscribe((userId, reason) => {
      calls.push(`a:${userId}:${reason}`);
    });
    revocation.subscribe(async () => {
      throw new Error('refresh store down');
    });
    revocation.subscribe(async (userId) => {
      calls.push(`c:${userId}`);
    });
    await expect(revocation.revokeUser('u1', 'password-reset')).rejects.toThrow('refresh store down');
    expect(calls).toEqual(['a:u1:password-reset', 'c:u1']);
  });

  it('stops calling a listener once unsubscribed', async () => {
    const revocation = new UserRevocation();
    const calls: string[] = [];
    const unsubscribe = revocation.subscribe((userId) => {
      calls.push(userId);
    });
    await revocation.revokeUser('u1', 'logout-everywhere');
    unsubscribe();
    await revocation.revokeUser('u2', 'logout-everywhere');
    expect(calls).toEqual(['u1']);
  });
});
