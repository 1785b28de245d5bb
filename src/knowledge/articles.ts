/**
 * The five articles on shrinking Docker images that pare's techniques come
 * from. Rules, docs and messages cite them by title, so a reader can find
 * the article; rule metadata holds the article records themselves, so
 * `pare rules --format json` prints titles, not a key.
 */

export type ArticleKey = 'bestPractices' | 'slimming' | 'rightWay' | 'minimize' | 'cutBy90';

export interface Article {
  /** Stable, for code that refers to an article; the title is what readers see. */
  key: ArticleKey;
  /** The title as published, verbatim. */
  title: string;
  /** A shorter form for the second and later mentions on one page. */
  shortTitle: string;
  /** An English rendering of a Chinese title; absent when the title is English. */
  gloss?: string;
  author?: string;
  /** Where it was published. */
  site?: string;
  /** Only where the address is known; none is guessed. */
  url?: string;
  /** The article a translation was made from. */
  original?: { title: string; site: string; url: string };
}

export const ARTICLES: Readonly<Record<ArticleKey, Article>> = {
  bestPractices: {
    key: 'bestPractices',
    title: 'Docker最佳实践：构建最小镜像',
    shortTitle: 'Docker最佳实践：构建最小镜像',
    gloss: 'Docker best practices: building the smallest image',
  },
  slimming: {
    key: 'slimming',
    title: '精简 Docker 镜像',
    shortTitle: '精简 Docker 镜像',
    gloss: 'Slimming Docker images',
  },
  rightWay: {
    key: 'rightWay',
    title: '构建更小的 docker 图像——正确的方法',
    shortTitle: '构建更小的 docker 图像——正确的方法',
    gloss: 'Building smaller Docker images the right way',
    original: {
      title: 'Building Smaller Docker Images the Right Way',
      site: 'Dev Genius',
      url: 'https://blog.devgenius.io/building-smaller-docker-images-the-right-way-1b6c12c112e1',
    },
  },
  minimize: {
    key: 'minimize',
    title: 'Minimize Container Image Size',
    shortTitle: 'Minimize Container Image Size',
  },
  cutBy90: {
    key: 'cutBy90',
    title: '14｜容器化：如何将镜像体积缩减 90%？',
    shortTitle: '容器化：如何将镜像体积缩减 90%？',
    gloss: 'Containerisation: how to cut image size by 90%',
    author: '王炜 (Wang Wei)',
    site: 'GeekTime (极客时间), lesson 14 of a course',
  },
};

/**
 * `《精简 Docker 镜像》 ("Slimming Docker images")`: the full title and its
 * gloss for a first mention; `short` gives `《精简 Docker 镜像》` for later ones.
 */
export function citeArticle(article: Article, options: { short?: boolean } = {}): string {
  if (options.short) return `《${article.shortTitle}》`;
  return article.gloss ? `《${article.title}》 ("${article.gloss}")` : `《${article.title}》`;
}
