export * from './base-images.js';
