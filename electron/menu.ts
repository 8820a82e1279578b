/**
 * The application menu. Electron's default menu binds Ctrl+R (reload), Ctrl+W
 * (close window) and more, which a shell needs (reverse search, delete word)
 * or which Tether uses for its own shortcuts (renderer/layout/shortcuts.ts).
 * So: no menu on Linux and Windows; on macOS only the app and Edit menus,
 * whose ⌘ keys never reach a shell, and no ⌘W, ⌘T or ⌘D of their own.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';

export function installMenu(): void {
  if (process.platform !== 'darwin') {
    Menu.setApplicationMenu(null);
    return;
  }
  const template: MenuItemConstructorOptions[] = [
    {
      role: 'appMenu',
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      role: 'editMenu',
      submenu: [{ role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    { role: 'windowMenu', submenu: [{ role: 'minimize' }, { role: 'zoom' }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
