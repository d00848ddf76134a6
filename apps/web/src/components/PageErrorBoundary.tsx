import { Component, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { RouteErrorPage } from '../pages/RouteErrorPage';

interface State {
  error: unknown;
}

class Boundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error };
  }

  override render() {
    if (this.state.error !== null) return <RouteErrorPage error={this.state.error} />;
    return this.props.children;
  }
}

/** Catches a page that throws while rendering (or a chunk that fails to load); resets on navigation. */
export function PageErrorBoundary({ children }: { children: ReactNode }) {
  const location = useLocation();
  return <Boundary key={location.pathname}>{children}</Boundary>;
}
