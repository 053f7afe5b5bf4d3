import { defineConfig } from 'vitepress'

// A docs site under /docs/ with .html URLs (cleanUrls is off).
export default defineConfig({
  title: '维特测试文档',
  lang: 'zh-CN',
  base: '/docs/',
  cleanUrls: false,
  srcExclude: ['**/TODO.md'],
  sitemap: {
    hostname: 'https://vite.example.com'
  },
  themeConfig: {
    nav: [{ text: '指南', link: '/guide/' }]
  }
})
