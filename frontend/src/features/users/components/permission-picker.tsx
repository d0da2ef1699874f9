import { useId } from 'react';
import type { User } from '@/lib/api/client';
import { permissionGrantBlock, type Role } from '@/lib/authorization';
import { groupByArea } from '@/lib/permission-areas';
import type { PermissionInfo } from '../api/list-permissions';

export interface PermissionPickerProps {
  catalogue: readonly PermissionInfo[];
  caller: User;
  /** The role the user has (or will have): 60 is for staff only. */
  targetRole: Role;
  value: readonly number[];
  onChange: (next: number[]) => void;
  /** Shown ticked and fixed, e.g. what a user holds already when adding. */
  locked?: readonly number[];
  /** The whole picker is read-only, for this reason (shown once, above it). */
  readOnlyReason?: string | null;
  disabled?: boolean;
  testId?: string;
}

/**
 * The permission catalogue grouped by area, each with its name and
 * description; what the caller may not grant is disabled with the reason.
 */
export function PermissionPicker({
  catalogue,
  caller,
  targetRole,
  value,
  onChange,
  locked = [],
  readOnlyReason = null,
  disabled = false,
  testId = 'permission-picker',
}: PermissionPickerProps) {
  const baseId = useId();
  const chosen = new Set(value);
  const fixed = new Set(locked);
  const toggle = (id: number, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChange(catalogue.map((p) => p.id).filter((p) => next.has(p)));
  };
  return (
    <div className="perm-groups" data-testid={testId}>
      {groupByArea(catalogue).map(({ area, items }) => (
        <fieldset key={area.id} className="perm-group" data-testid={`perm-area-${area.id}`}>
          <legend className="perm-group__legend">{area.label}</legend>
          <ul className="perm-list">
            {items.map((permission) => {
              const id = `${baseId}-perm-${permission.id}`;
              const reason = readOnlyReason ? null : permissionGrantBlock(caller, permission.id, targetRole);
              const isLocked = fixed.has(permission.id);
              const off = disabled || readOnlyReason !== null || reason !== null || isLocked;
              const describedBy = [`${id}-desc`, reason ? `${id}-why` : null].filter(Boolean).join(' ');
              return (
                <li key={permission.id} className={`perm-item${off ? ' perm-item--off' : ''}`}>
                  <input
                    id={id}
                    type="checkbox"
                    className="perm-item__box"
                    checked={chosen.has(permission.id) || isLocked}
                    disabled={off}
                    onChange={(e) => toggle(permission.id, e.target.checked)}
                    aria-describedby={describedBy}
                    data-testid={`perm-${permission.id}`}
                  />
                  <label htmlFor={id} className="perm-item__label">
                    <span className="perm-item__id mono">{permission.id}</span> {permission.name}
                  </label>
                  <span id={`${id}-desc`} className="perm-item__desc muted">
                    {permission.description}
                    {isLocked ? ' (held already)' : ''}
                  </span>
                  {reason && (
                    <span id={`${id}-why`} className="perm-item__why" data-testid={`perm-${permission.id}-reason`}>
                      {reason}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </fieldset>
      ))}
    </div>
  );
}
