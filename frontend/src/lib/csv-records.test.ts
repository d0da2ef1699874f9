import { describe, expect, it } from 'vitest';
import { CsvRecordCounter } from './csv-records';

const count = (...chunks: string[]) => {
  const counter = new CsvRecordCounter();
  for (const chunk of chunks) counter.push(chunk);
  return counter.rows;
};

describe('CsvRecordCounter', () => {
  it('counts data rows, not the header', () => {
    expect(count('a,b\n')).toBe(0);
    expect(count('a,b\n1,2\n3,4\n')).toBe(2);
    expect(count('a,b\n1,2\n3,4')).toBe(2);
  });

  it('does not split a quoted cell holding line breaks or quotes', () => {
    expect(count('id,notes\n1,"two\nlines"\n2,"say ""hi""\r\nthere"\n')).toBe(2);
  });

  it('gives the same count however the stream is cut', () => {
    const text = 'id,notes\r\n1,"a\r\nb"\r\n2,plain\r\n3,"x,""y"""\r\n';
    for (let cut = 0; cut <= text.length; cut += 1) {
      expect(count(text.slice(0, cut), text.slice(cut))).toBe(3);
    }
  });
});
