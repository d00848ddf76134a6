/** The look of the product in one place: colours, radius, fonts and component defaults. */
import { createTheme, type MantineColorsTuple } from '@mantine/core';

// A deep teal-blue: calm, readable on white, distinct from the status colours.
const brand: MantineColorsTuple = [
  '#e6f6ff',
  '#d2e8fa',
  '#a6cff2',
  '#76b4ea',
  '#4f9de3',
  '#368fdf',
  '#2588de',
  '#1575c6',
  '#0068b2',
  '#005a9e',
];

export const theme = createTheme({
  primaryColor: 'brand',
  colors: { brand },
  primaryShade: 8,
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  headings: { fontWeight: '650' },
  cursorType: 'pointer',
  components: {
    Card: { defaultProps: { withBorder: true, radius: 'md', shadow: 'xs' } },
    Paper: { defaultProps: { radius: 'md' } },
    Badge: { defaultProps: { variant: 'light', radius: 'sm' } },
    TextInput: { defaultProps: { size: 'sm' } },
    // The close (×) button has no text; it needs a name for screen readers.
    Modal: {
      defaultProps: { centered: true, overlayProps: { backgroundOpacity: 0.45, blur: 2 }, closeButtonProps: { 'aria-label': 'Close' } },
    },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Table: { defaultProps: { verticalSpacing: 'sm', highlightOnHover: true } },
  },
});
