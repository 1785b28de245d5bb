export const ROOT: string;
export const EXAMPLES: string[];
export function optimizeExample(name: string): Promise<import('../src/optimize/optimize.js').OptimizeResult>;
export function expertSize(name: string): Promise<number>;
export function sizesOf(result: import('../src/optimize/optimize.js').OptimizeResult): {
  original: number;
  optimized: number;
  layersBefore: number;
  layersAfter: number;
};
export const INTERPRETED: Record<string, 'python' | 'node'>;
export const STDLIB_ALLOWANCE: Record<'python' | 'node', number>;
export function probeFlags(name: string): string[];
export function minimalSize(name: string): Promise<number>;
export const EXPERT_TOLERANCE: Record<string, number>;
