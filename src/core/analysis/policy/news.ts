import type { ModelOutput } from '../model-output.ts';

type Rating = ModelOutput['news'][number];

/**
 * Ratings of news the caller never sent (an index at or past the count sent), and second ratings
 * of the same item, describe nothing real: they are dropped. Without a count nothing is dropped.
 */
export function screenRatings(
  news: ModelOutput['news'],
  newsCount: number | null,
): { kept: Rating[]; dropped: { rating: Rating; reason: string }[] } {
  const kept: Rating[] = [];
  const dropped: { rating: Rating; reason: string }[] = [];
  const seen = new Set<number>();
  for (const rating of news) {
    if (newsCount !== null && rating.index >= newsCount) {
      const sent = newsCount === 0 ? 'no news was sent' : `${newsCount} item${newsCount === 1 ? ' was' : 's were'} sent (indexes 0..${newsCount - 1})`;
      dropped.push({ rating, reason: `a rating for news item ${rating.index}, but ${sent}: dropped` });
    } else if (seen.has(rating.index)) {
      dropped.push({ rating, reason: `a second rating for news item ${rating.index}: dropped` });
    } else {
      seen.add(rating.index);
      kept.push(rating);
    }
  }
  return { kept, dropped };
}

/** Net lean of the ratings: sum of sentiment x relevance (> 0 bullish, < 0 bearish). */
export function newsTilt(ratings: readonly Rating[]): number {
  return ratings.reduce((s, r) => s + r.sentiment * r.relevance, 0);
}
