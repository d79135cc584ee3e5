/** An amount in euros, kept as integer cents so it is never rounded; written with two decimals. */
export class Amount {
  /** The largest amount accepted, 99 999 999,99 € (the README says so): read back exactly from the JSON. */
  static readonly MAX = new Amount(9_999_999_999n);
  constructor(readonly cents: bigint) {}
  /** From the text it is written as (27450.00), as the journal keeps it. */
  static fromText(text: string): Amount {
    const [i, d = ''] = text.split('.');
    const neg = i.startsWith('-');
    const cents = BigInt(neg ? i.slice(1) : i) * 100n + BigInt((d + '00').slice(0, 2));
    return new Amount(neg ? -cents : cents);
  }
  get text(): string {
    const neg = this.cents < 0n;
    const abs = neg ? -this.cents : this.cents;
    const s = `${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
    return neg ? `-${s}` : s;
  }
  toString(): string {
    return this.text;
  }
  /** French display: 27 450,00 € */
  get display(): string {
    const [i, d] = this.text.split('.');
    return `${i.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')},${d} €`;
  }
}

export type FieldValue = string | boolean | Amount | string[] | null;

export function showValue(v: FieldValue): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'OUI' : 'NON';
  if (v instanceof Amount) return v.display;
  if (Array.isArray(v)) return v.join(' ; ');
  return v;
}
