/** Colours for one chart theme. Kept apart from drawing so both renderers can share them. */
export interface ChartTheme {
  background: string;
  text: string;
  grid: string;
  up: string;
  down: string;
  volumeUp: string;
  volumeDown: string;
  overlays: Record<string, string>;
  bollingerFill: string;
  rsi: string;
  macd: string;
  macdSignal: string;
  bullishMark: string;
  bearishMark: string;
  neutralMark: string;
  support: string;
  resistance: string;
}

const overlays = {
  sma20: '#f59e0b',
  sma50: '#3b82f6',
  sma200: '#a855f7',
  ema20: '#ec4899',
  ema50: '#14b8a6',
  bollinger: '#64748b',
};

export const THEMES: Record<'light' | 'dark', ChartTheme> = {
  light: {
    background: '#ffffff',
    text: '#1f2937',
    grid: 'rgba(0,0,0,0.08)',
    up: '#16a34a',
    down: '#dc2626',
    volumeUp: 'rgba(22,163,74,0.45)',
    volumeDown: 'rgba(220,38,38,0.45)',
    overlays,
    bollingerFill: 'rgba(100,116,139,0.10)',
    rsi: '#7c3aed',
    macd: '#2563eb',
    macdSignal: '#f97316',
    bullishMark: 'rgba(22,163,74,0.9)',
    bearishMark: 'rgba(220,38,38,0.9)',
    neutralMark: 'rgba(75,85,99,0.9)',
    support: 'rgba(22,163,74,0.7)',
    resistance: 'rgba(220,38,38,0.7)',
  },
  dark: {
    background: '#0f172a',
    text: '#e2e8f0',
    grid: 'rgba(255,255,255,0.08)',
    up: '#22c55e',
    down: '#ef4444',
    volumeUp: 'rgba(34,197,94,0.45)',
    volumeDown: 'rgba(239,68,68,0.45)',
    overlays,
    bollingerFill: 'rgba(148,163,184,0.12)',
    rsi: '#a78bfa',
    macd: '#60a5fa',
    macdSignal: '#fb923c',
    bullishMark: 'rgba(34,197,94,0.95)',
    bearishMark: 'rgba(239,68,68,0.95)',
    neutralMark: 'rgba(203,213,225,0.95)',
    support: 'rgba(34,197,94,0.75)',
    resistance: 'rgba(239,68,68,0.75)',
  },
};
