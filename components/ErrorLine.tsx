/** A failure the user should see, announced to screen readers; nothing when there is none. */
export function ErrorLine({ error, testId }: { error: string | undefined; testId?: string }) {
  if (!error) return null;
  return (
    <p class="error" role="alert" data-testid={testId}>
      {error}
    </p>
  );
}
