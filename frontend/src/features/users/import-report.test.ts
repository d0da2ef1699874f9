import { describe, expect, it } from 'vitest';
import type { ImportReport, ImportRow } from './api/import-users';
import { csvCell, keepRows, passwordsCsv, rowKind, rowReasons, sampleCsv, splitCsvRecords, summarize } from './import-report';

const row = (line: number, status: ImportRow['status'], errors?: Record<string, string[]>): ImportRow => ({
  line,
  username: `user${line}`,
  status,
  ...(errors ? { errors } : {}),
});

describe('the import report', () => {
  it('tells duplicates from invalid rows by the reasons the API gives', () => {
    expect(rowKind(row(2, 'valid'))).toBe('valid');
    expect(rowKind(row(2, 'created'))).toBe('created');
    expect(rowKind(row(2, 'invalid', { username: ['Username already exists'] }))).toBe('duplicate');
    expect(rowKind(row(2, 'invalid', { username: ['appears twice in this file (line 3)'] }))).toBe('duplicate');
    expect(rowKind(row(2, 'invalid', { email: ['already exists in this company'] }))).toBe('duplicate');
    // A duplicate that is also malformed must be fixed: invalid.
    expect(
      rowKind(row(2, 'invalid', { username: ['Username already exists'], email: ['must be a valid e-mail address'] })),
    ).toBe('invalid');
    expect(rowKind(row(2, 'invalid', { row: ['You cannot give the role admin (above your own)'] }))).toBe('invalid');
  });

  it('lists every reason with its field, a whole-row reason without one', () => {
    expect(
      rowReasons(row(4, 'invalid', { email: ['must be a valid e-mail address'], row: ['Only a super admin may create or appoint the operator\'s staff'] })),
    ).toEqual(['email: must be a valid e-mail address', "Only a super admin may create or appoint the operator's staff"]);
    expect(rowReasons(row(4, 'valid'))).toEqual([]);
  });

  it('counts the rows of each kind and knows which lines can go in', () => {
    const report: ImportReport = {
      dryRun: true,
      total: 5,
      valid: 2,
      invalid: 3,
      created: 0,
      rows: [
        row(2, 'valid'),
        row(3, 'invalid', { username: ['Username already exists'] }),
        row(4, 'invalid', { name: ['must not be empty'] }),
        row(6, 'valid'),
        row(7, 'invalid', { username: ['appears twice in this file (line 2)'] }),
      ],
    };
    expect(summarize(report)).toEqual({ total: 5, valid: 2, created: 0, invalid: 1, duplicates: 2, validLines: [2, 6] });
  });
});

describe('the file, row by row', () => {
  it('numbers records by the line they start on, as the API does', () => {
    const lines = (csv: string) => splitCsvRecords(csv).map((r) => r.line);
    expect(lines('name,username\nA,aa1\nB,bb2\n')).toEqual([1, 2, 3]);
    expect(lines('name,username\r\nA,aa1\r\nB,bb2')).toEqual([1, 2, 3]);
    expect(lines('name,username\rA,aa1\rB,bb2\r')).toEqual([1, 2, 3]);
    expect(lines('name,username\n\nA,aa1\n\n\nB,bb2\n')).toEqual([1, 3, 6]);
    expect(lines('name,username\n"A\nB",aa1\nC,cc3\n')).toEqual([1, 2, 4]);
    expect(lines('\uFEFFname,username\r\nA,aa1\r\n')).toEqual([1, 2]);
  });

  it('keeps the header and only the chosen rows, quoted cells whole', () => {
    const csv = 'name,username\nA,aa1\n"B\nb",bb2\nC,cc3\n';
    expect(keepRows(csv, [2, 5])).toBe('name,username\nA,aa1\nC,cc3\n');
    expect(keepRows(csv, [3])).toBe('name,username\n"B\nb",bb2\n');
  });
});

describe('files to download', () => {
  it('quotes cells that need it and neutralises formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('-x')).toBe("'-x");
  });

  it('lists the one-time password of each created row only', () => {
    const rows: ImportRow[] = [
      { ...row(2, 'created'), password: 'Kj8mN2pQx7Rt4wVa', userId: 9 },
      row(3, 'valid'),
    ];
    expect(passwordsCsv(rows, 'http://localhost/login')).toBe(
      'username,password,loginUrl\r\nuser2,Kj8mN2pQx7Rt4wVa,http://localhost/login\r\n',
    );
  });

  it('offers staff a companyId column and client users none', () => {
    expect(sampleCsv(true).split('\r\n')[0]).toBe('name,username,email,role,permissions,companyId');
    expect(sampleCsv(false).split('\r\n')[0]).toBe('name,username,email,role,permissions');
  });
});
