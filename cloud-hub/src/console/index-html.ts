import { renderShellHtml } from '@outpost/web-kit/index-html';

const PAGE = {
  title: 'Outpost ops console',
  assetsUrl: '/console/assets',
  bundleName: 'console',
  notBuiltHtml: 'The console has not been built. Run <code>npm run build:console</code> (or <code>npm start</code>, which builds it) and reload.',
};

/** The console's one HTML page (see renderShellHtml). */
export function renderConsoleHtml(assetsDir: string | null): string {
  return renderShellHtml(PAGE, assetsDir);
}
