// Runs every benchmark; each prints its own table. `npm run bench` builds first.
const which = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
const suites = {
  lint: './lint.mjs',
  'lint-scale': './lint-scale.mjs',
  image: './image-read.mjs',
  inspect: './inspect.mjs',
};
for (const [name, path] of Object.entries(suites)) {
  if (which && which !== name) continue;
  console.log(`\n## ${name}\n`);
  try {
    await import(path);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(path.slice(2))) {
      console.log(`(${name} benchmark not present)`);
    } else throw error;
  }
}
