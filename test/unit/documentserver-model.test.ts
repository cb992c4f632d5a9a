import { commandErrorReason, commandSupported, licenseStatusName } from '../../src/documentserver/model.js';

describe('what DocumentServer answers mean', () => {
  test('a command is unsupported on 5 (unknown command), and getForgottenList before 7.5 or, version unknown, on 1', () => {
    expect(commandSupported('version', 0)).toBe(true);
    expect(commandSupported('version', 6)).toBe(true);
    expect(commandSupported('license', 5)).toBe(false);
    // Version unknown: the 1 that 7.1 gives it means "no such command".
    expect(commandSupported('getForgottenList', 1)).toBe(false);
    expect(commandSupported('getForgottenList', 0)).toBe(true);
    expect(commandSupported('getForgottenList', 7)).toBe(true);
    // Version known: from 7.5 it exists, so a 1 is a real error; before 7.5 it does not, whatever the answer.
    const v = (version: string) => ({ version, build: '1' });
    expect(
      ['7.1.1', '7.4.1', '7.5.0', '7.5.1', '8.3.3', '10.0.0'].map((x) => [
        x,
        commandSupported('getForgottenList', 1, v(x)),
        commandSupported('getForgottenList', 0, v(x)),
        commandSupported('getForgottenList', 5, v(x)),
      ]),
    ).toEqual([
      ['7.1.1', false, false, false],
      ['7.4.1', false, false, false],
      ['7.5.0', true, true, false],
      ['7.5.1', true, true, false],
      ['8.3.3', true, true, false],
      ['10.0.0', true, true, false],
    ]);
    expect(commandSupported('version', 1, v('7.1.1'))).toBe(true);
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
