import { languagePackageCache } from '../../src/rules/packages/language-package-cache.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(languagePackageCache, {
  valid: [
    {
      name: 'composer with its cache cleared in the same RUN',
      code: 'FROM php:8.3-cli\nCOPY --from=composer:2 /usr/bin/composer /usr/bin/\nRUN composer install --no-dev && composer clear-cache\n',
    },
    {
      name: 'composer --no-cache',
      code: 'FROM php:8.3-cli\nRUN composer install --no-dev --no-cache\n',
    },
    {
      name: 'bundler on a ruby image with the gem cache removed (the Rails template)',
      code: 'FROM ruby:3.3-slim\nENV BUNDLE_PATH=/usr/local/bundle\nRUN bundle install && rm -rf ~/.bundle/ "${BUNDLE_PATH}"/ruby/*/cache\n',
    },
    {
      name: 'bundler with the cache on a cache mount',
      code: '# syntax=docker/dockerfile:1\nFROM ruby:3.3-slim\nRUN --mount=type=cache,target=/usr/local/bundle/cache bundle install\n',
    },
    {
      name: 'bundler where pare cannot tell GEM_HOME (an unknown base): nothing certain to say',
      code: 'FROM registry.corp/ruby-base:3\nRUN bundle install\n',
    },
    {
      name: 'conda clean in the same RUN (the jupyter images)',
      code: 'FROM quay.io/jupyter/scipy-notebook:2024-07-08\nRUN mamba install --yes altair && mamba clean --all -f -y\n',
    },
    {
      name: 'uv with a cache mount (the uv docs)',
      code: '# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev\n',
    },
    {
      name: 'uv with UV_NO_CACHE',
      code: 'FROM python:3.12-slim\nENV UV_NO_CACHE=1\nRUN uv pip install --system flask\n',
    },
    {
      name: 'poetry with its cache removed',
      code: 'FROM python:3.12-slim\nENV POETRY_CACHE_DIR=/tmp/poetry_cache\nRUN poetry install --only main && rm -rf $POETRY_CACHE_DIR\n',
    },
    {
      name: 'a builder stage',
      code: 'FROM python:3.12 AS build\nRUN uv sync --frozen --no-dev\nFROM python:3.12-slim\nCOPY --from=build /app/.venv /app/.venv\n',
    },
  ],
  invalid: [
    {
      name: 'composer copied into a php image: the cache goes to ~/.cache/composer',
      code: 'FROM php:8.2-apache\nCOPY --from=composer:2 /usr/bin/composer /usr/bin/composer\nRUN composer install --no-dev --optimize-autoloader\n',
      findings: [{ line: 3, message: '/root/.cache/composer', severity: 'warning', fixable: true }],
      output:
        'FROM php:8.2-apache\nCOPY --from=composer:2 /usr/bin/composer /usr/bin/composer\nRUN composer install --no-dev --optimize-autoloader && composer clear-cache\n',
    },
    {
      name: 'bundle install on a ruby image: GEM_HOME/cache, which the catalogue knows',
      code: 'FROM ruby:3.3-alpine\nWORKDIR /app\nRUN bundle config set --local without development && bundle install\n',
      findings: [{ line: 3, message: '/usr/local/bundle/cache', fixable: false }],
    },
    {
      name: 'conda env create without conda clean',
      code: 'FROM continuumio/miniconda3:24.4.0-0\nRUN conda env create -f environment.yml\n',
      findings: [{ line: 2, message: '/opt/conda/pkgs' }],
      output:
        'FROM continuumio/miniconda3:24.4.0-0\nRUN conda env create -f environment.yml && conda clean -afy\n',
    },
    {
      name: 'uv sync and poetry install as root and as a user',
      code: 'FROM python:3.12-slim\nRUN uv sync --frozen\nUSER app\nRUN poetry install --only main\n',
      findings: [
        { line: 2, message: '/root/.cache/uv', fixable: true },
        { line: 4, message: '/home/app/.cache/pypoetry', fixable: false },
      ],
      output:
        'FROM python:3.12-slim\nRUN uv sync --frozen && uv cache clean\nUSER app\nRUN poetry install --only main\n',
    },
  ],
});
