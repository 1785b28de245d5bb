#!/usr/bin/env node
import { loadCli } from './cli-loader.js';

const { cli } = loadCli();
process.exitCode = await cli.main(process.argv.slice(2));
