import { commandErrorReason, commandSupported, licenseStatusName } from '../../src/documentserver/model.js';

describe('what DocumentServer answers mean', () => {
  test('a command is unsupported on 5 (unknown command), and getForgottenList on the 1 that 7.1 gives it', () => {
    expect(commandSupported('version', 0)).toBe(true);
    expect(commandSupported('version', 6)).toBe(true);
    expect(commandSupported('license', 5)).toBe(false);
    expect(commandSupported('getForgottenList', 1)).toBe(false);
    expect(commandSupported('getForgottenList', 0)).toBe(true);
    expect(commandSupported('getForgottenList', 7)).toBe(true);
    // 1 for another command is a real error (document_id), not a missing command.
    expect(commandSupported('version', 1)).toBe(true);
    expect(commandErrorReason(0)).toBe('none');
  });

  test('license status names follow LICENSE_RESULT', () => {
    expect([1, 2, 3, 6, 11, 16, 17, undefined].map(licenseStatusName)).toEqual([
      'Error',
      'Expired',
      'Success',
      'ExpiredTrial',
      'ExpiredLimited',
      'NotBefore',
      'unknown_17',
      'unknown',
    ]);
  });
});
