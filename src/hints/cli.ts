export async function hintsCommand(argv: string[]): Promise<number> {
  void argv;
  process.stderr.write('prescient hints: not implemented yet\n');
  return 2;
}
