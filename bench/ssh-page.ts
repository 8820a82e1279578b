/**
 * The Tether side of the SSH benchmark: the workspace's one block moved to
 * an SSH connection from its header's connection label, as a person does,
 * and waited on until the remote shell's prompt shows. `measureCat` then
 * times `cat` in it.
 */
import type { Page } from '@playwright/test';
import { expect } from '../e2e/fixtures/terminal';
import { block, expectBlockCount, expectPrompt } from '../e2e/fixtures/workspace';

export type SshBlock = {
  blockId: string;
  cols: number;
  rows: number;
  renderer: 'webgl' | 'dom';
  options: Record<string, unknown>;
};

/** Open the workspace at `url` and move its block to `alias` (a ~/.ssh/config Host). */
export async function openSshBlock(page: Page, url: string, alias: string): Promise<SshBlock> {
  await page.goto(url);
  const [blockId] = await expectBlockCount(page, 1);
  await expectPrompt(page, blockId!);
  const localSession = await page.evaluate(
    (id) => window.__tetherTest!.terms[id]!.sessionId(),
    blockId!,
  );

  await block(page, blockId!).getByRole('button', { name: 'Connection', exact: true }).click();
  const picker = page.getByRole('dialog', { name: 'Open a connection' });
  await picker.getByRole('combobox', { name: 'Filter connections' }).fill(alias);
  await expect(picker.getByRole('option', { selected: true })).toHaveAccessibleName(
    new RegExp(`^${alias}, `),
  );
  await page.keyboard.press('Enter');
  await expect(picker).toHaveCount(0);
  await expect(block(page, blockId!).getByRole('img', { name: 'Link: connected' })).toBeVisible({
    timeout: 30_000,
  });
  await expect
    .poll(() => page.evaluate((id) => window.__tetherTest!.terms[id]?.sessionId(), blockId!))
    .not.toBe(localSession);
  await expectPrompt(page, blockId!);
  // Let the login's last output (prompt redraws, bracketed paste) settle.
  await page.waitForTimeout(500);
  return {
    blockId: blockId!,
    ...(await page.evaluate((id) => {
      const term = window.__tetherTest!.terms[id]!;
      return {
        cols: term.cols,
        rows: term.rows,
        renderer: term.renderer(),
        options: term.options(),
      };
    }, blockId!)),
  };
}
