import { describe, expect, it } from 'vitest';
import { readClientListParams, toExportQuery, toListQuery, writeClientListParams } from './list-params';

describe('client list params', () => {
  it('reads the defaults from an empty URL and writes them back as nothing', () => {
    const params = readClientListParams(new URLSearchParams());
    expect(params).toEqual({
      search: '',
      status: '',
      businessType: '',
      leadStatus: '',
      sort: '-createdAt',
      page: 1,
      pageSize: 10,
    });
    expect(writeClientListParams(params).toString()).toBe('');
  });

  it('round-trips every filter, the sort and the page through the URL', () => {
    const url = 'search=abc+store&status=inactive&businessType=hotel&leadStatus=customer&sort=companyName&page=3&pageSize=25';
    const params = readClientListParams(new URLSearchParams(url));
    expect(params).toMatchObject({ search: 'abc store', status: 'inactive', sort: 'companyName', page: 3, pageSize: 25 });
    expect(writeClientListParams(params).toString()).toBe(url);
  });

  it('falls back to defaults for anything it does not know', () => {
    const params = readClientListParams(
      new URLSearchParams('status=maybe&businessType=Retail&leadStatus=x&sort=-password&page=-2&pageSize=7'),
    );
    expect(params).toMatchObject({ status: '', businessType: '', leadStatus: '', sort: '-createdAt', page: 1, pageSize: 10 });
  });

  it('asks the API for exactly the filters and sort, and the page as limit/offset', () => {
    const params = readClientListParams(new URLSearchParams('search=%20abc%20&status=active&sort=-lastLogin&page=2&pageSize=25'));
    expect(toExportQuery(params)).toEqual({ search: 'abc', isActive: true, sort: '-lastLogin' });
    expect(toListQuery(params)).toEqual({ search: 'abc', isActive: true, sort: '-lastLogin', limit: 25, offset: 25 });
  });
});
