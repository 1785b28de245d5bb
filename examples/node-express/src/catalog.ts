export interface Product {
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
}

const PRODUCTS: Product[] = [
  { sku: 'BEAN-ETH-250', name: 'Ethiopia Guji, 250 g', priceCents: 1450, stock: 12 },
  { sku: 'BEAN-COL-250', name: 'Colombia Huila, 250 g', priceCents: 1290, stock: 0 },
  { sku: 'GEAR-V60-02', name: 'V60 dripper, size 02', priceCents: 2490, stock: 5 },
  { sku: 'GEAR-SCALE', name: 'Brewing scale', priceCents: 3990, stock: 3 },
];

export function listProducts(inStockOnly: boolean): Product[] {
  return PRODUCTS.filter((p) => !inStockOnly || p.stock > 0);
}

export function findProduct(sku: string): Product | undefined {
  return PRODUCTS.find((p) => p.sku === sku);
}

export function quote(items: { sku: string; qty: number }[]): { totalCents: number; missing: string[] } {
  let totalCents = 0;
  const missing: string[] = [];
  for (const { sku, qty } of items) {
    const p = findProduct(sku);
    if (!p || p.stock < qty) missing.push(sku);
    else totalCents += p.priceCents * qty;
  }
  return { totalCents, missing };
}
