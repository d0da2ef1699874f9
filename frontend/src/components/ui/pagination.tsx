import { useId } from 'react';
import { Button } from './button';
import { PAGE_SIZES } from './page-sizes';

export interface PaginationProps {
  /** 1-based. */
  page: number;
  pageSize: number;
  total: number;
  /** False when `total` is a lower bound ("1,000 or more"). */
  totalExact?: boolean;
  hasMore: boolean;
  onPageChange: (page: number) => void;
  onPageSizeChange?: (size: number) => void;
  /** What is counted, plural: "clients". */
  noun: string;
  busy?: boolean;
}

const number = new Intl.NumberFormat();

/** "Showing 11–20 of 57 clients", previous and next, and the page size. */
export function Pagination({
  page,
  pageSize,
  total,
  totalExact = true,
  hasMore,
  onPageChange,
  onPageSizeChange,
  noun,
  busy = false,
}: PaginationProps) {
  const sizeId = useId();
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(page * pageSize, Math.max(total, first));
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const totalText = totalExact ? number.format(total) : `${number.format(total)} or more`;
  return (
    <nav className="pagination" aria-label={`Pages of ${noun}`} data-testid="pagination">
      <p className="pagination__summary" aria-live="polite" data-testid="pagination-summary">
        {total === 0 ? `No ${noun}` : `Showing ${first}–${last} of ${totalText} ${noun}`}
      </p>
      <div className="pagination__controls">
        {onPageSizeChange && (
          <span className="pagination__size">
            <label htmlFor={sizeId}>Rows per page</label>
            <select
              id={sizeId}
              className="field__input field__input--select field__input--compact"
              value={pageSize}
              onChange={(e) => onPageSizeChange(Number(e.target.value))}
              data-testid="page-size"
            >
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </span>
        )}
        <span className="pagination__nav">
          <Button
            variant="secondary"
            className="button--small"
            disabled={page <= 1 || busy}
            onClick={() => onPageChange(page - 1)}
            data-testid="page-previous"
          >
            Previous
          </Button>
          <span className="pagination__page" data-testid="page-indicator">
            Page {page}
            {totalExact ? ` of ${pages}` : ''}
          </span>
          <Button
            variant="secondary"
            className="button--small"
            disabled={!hasMore || busy}
            onClick={() => onPageChange(page + 1)}
            data-testid="page-next"
          >
            Next
          </Button>
        </span>
      </div>
    </nav>
  );
}
