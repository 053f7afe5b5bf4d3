import { defineConfig } from 'vitepress'

const siteUrl = 'https://vite.example.com'
// VitePress's own slugify pattern, as configs copy it: its ` " ' are not strings.
const rSpecial = /[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g
const slugify = (s: string) => s.normalize('NFKD').replace(rSpecial, '-')

// A docs site under /docs/ with .html URLs (cleanUrls is off), Chinese pages moved from
// zh/ to cn/ by a rewrite, and attribute lists written %{#id}% as some translations do.
export default defineConfig({
  title: '维特测试文档',
  lang: 'zh-CN',
  base: '/docs/',
  cleanUrls: false,
  // Tutorial steps are included by their page; they aren't pages themselves.
  srcExclude: ['**/TODO.md', 'guide/**/description.md'],
  // srcExclude: ['guide/**'],
  rewrites: {
    'zh/:rest*': 'cn/:rest*'
  },
  markdown: {
    anchor: { slugify },
    attrs: {
      leftDelimiter: '%{',
      rightDelimiter: '}%'
    }
  },
  sitemap: {
    hostname: siteUrl
  },
  themeConfig: {
    footer: { copyright: `© 2019-${new Date().getFullYear()}` },
    nav: [{ text: '指南', link: '/guide/' }],
    sidebar: {
      '/guide/': { base: '/guide/', items: [{ text: '开始', link: 'getting-started' }] }
    }
  }
})
