export function StatusBadge({ active }: { active: boolean }) {
  return (
    <span className={`badge ${active ? 'badge--active' : 'badge--inactive'}`} data-testid="status-badge">
      {active ? 'Active' : 'Inactive'}
    </span>
  );
}
