import { renderShellHtml } from '@outpost/web-kit/index-html';

const PAGE = {
  title: 'Outpost gateway',
  assetsUrl: '/ui/assets',
  bundleName: 'app',
  notBuiltHtml: 'The technician UI has not been built. Run <code>npm run build:ui</code> (or <code>npm start</code>, which builds it) and reload.',
};

/** The technician UI's one HTML page (see renderShellHtml). */
export function renderIndexHtml(assetsDir: string | null): string {
  return renderShellHtml(PAGE, assetsDir);
}
