/**
 * Page titles and focus on navigation, for people who use a screen reader or the keyboard: each
 * route names itself in the tab title ("Amina Kerubo · Customers · NetFlow CRM"), and after a
 * navigation focus lands on the new page's heading (announced, and the next Tab starts in the page)
 * instead of staying on the link that was clicked, or falling back to the top of the document.
 */
import { useEffect, useLayoutEffect } from 'react';

export const APP_NAME = 'NetFlow CRM';

export function documentTitle(...parts: (string | undefined | null)[]): string {
  return [...parts.filter((p): p is string => Boolean(p)), APP_NAME].join(' · ');
}

/**
 * Sets the tab's title while the page is shown. A layout effect: the title changes in the same
 * commit as the page's heading appears, before focus moves to that heading (a screen reader reads
 * both together; a passive effect would run only after the focus move).
 */
export function useDocumentTitle(...parts: (string | undefined | null)[]) {
  const title = documentTitle(...parts);
  useLayoutEffect(() => {
    document.title = title;
  }, [title]);
}

/** Set by the shell when the route changes; the next page heading to appear takes focus. */
let headingFocusRequestedAt = 0;
/** How long after a navigation a heading may still take focus (a detail page loads its record first). */
const FOCUS_WINDOW_MS = 10_000;

const HEADING = 'main [data-page-heading]';

/** The path last shown in the shell; kept here, as the shell itself may be mounted afresh. */
let shownPath: string | null = null;

/**
 * Called by the shell with the current path: after a navigation (not the first load, where the
 * browser starts at the top anyway) focus goes to the new page's heading.
 */
export function onPathShown(pathname: string) {
  const previous = shownPath;
  shownPath = pathname;
  if (previous !== null && previous !== pathname) focusPageHeading();
}

/** Focuses the page heading now, or when it first renders (a page still loading its code or record). */
export function focusPageHeading() {
  const heading = document.querySelector<HTMLElement>(HEADING);
  if (heading) {
    heading.focus({ preventScroll: false });
    headingFocusRequestedAt = 0;
  } else {
    headingFocusRequestedAt = Date.now();
  }
}

/** Called by a page heading when it mounts: takes the focus a navigation left waiting for it. */
export function useTakePendingHeadingFocus(ref: React.RefObject<HTMLElement | null>) {
  useEffect(() => {
    if (headingFocusRequestedAt && Date.now() - headingFocusRequestedAt < FOCUS_WINDOW_MS && ref.current) {
      headingFocusRequestedAt = 0;
      ref.current.focus();
    }
  }, [ref]);
}

/** `/` anywhere outside a text field focuses the page's search box, as on many web apps. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.getAttribute('role') === 'combobox';
}
