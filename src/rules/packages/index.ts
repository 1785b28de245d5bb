import type { Rule } from '../types.js';
import { apkCache } from './apk-cache.js';
import { aptCacheNotCleaned } from './apt-cache-not-cleaned.js';
import { aptInsteadOfAptGet } from './apt-instead-of-apt-get.js';
import { aptListsNotRemoved } from './apt-lists-not-removed.js';
import { aptNoInstallRecommends } from './apt-no-install-recommends.js';
import { aptUpdateAlone } from './apt-update-alone.js';
import { buildCacheInFinalImage } from './build-cache-in-final-image.js';
import { devDependenciesInstalled } from './dev-dependencies-installed.js';
import { devToolsInFinalImage } from './dev-tools-in-final-image.js';
import { languagePackageCache } from './language-package-cache.js';
import { nodePackageCache } from './node-package-cache.js';
import { npmDevDependencies } from './npm-dev-dependencies.js';
import { packageUpgrade } from './package-upgrade.js';
import { pipCache } from './pip-cache.js';
import { yumDnfCache } from './yum-dnf-cache.js';

export const packageRules: Rule[] = [
  aptListsNotRemoved,
  aptNoInstallRecommends,
  aptCacheNotCleaned,
  aptInsteadOfAptGet,
  aptUpdateAlone,
  apkCache,
  yumDnfCache,
  packageUpgrade,
  pipCache,
  nodePackageCache,
  npmDevDependencies,
  devDependenciesInstalled,
  languagePackageCache,
  buildCacheInFinalImage,
  devToolsInFinalImage,
];
