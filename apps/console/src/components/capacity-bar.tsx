/** How much of one resource is used, as a bar with its numbers (a labelled ARIA meter). */
export function CapacityBar({ label, used, capacity, unit = '' }: { label: string; used: number; capacity: number; unit?: string }) {
  if (!capacity) return null;
  const share = Math.min(1, used / capacity);
  return (
    <div className="capacity">
      <span className="capacity-label">{label}</span>
      <div className="bar" role="meter" aria-label={`${label} used`} aria-valuemin={0} aria-valuemax={capacity} aria-valuenow={used} aria-valuetext={`${used} of ${capacity}${unit}`}>
        <div className={share >= 0.9 ? 'fill full' : 'fill'} style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </div>
      <span className="capacity-value">
        {round(used)} / {round(capacity)}
        {unit}
      </span>
    </div>
  );
}

const round = (n: number) => Math.round(n * 100) / 100;
