export function Brand({ size = 'medium' }: { size?: 'medium' | 'large' }) {
  return (
    <span className={`brand brand--${size}`}>
      <img src="/favicon.svg" alt="" className="brand__mark" />
      <span className="brand__name">Clientele</span>
    </span>
  );
}
