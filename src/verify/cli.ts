export async function verifyCommand(argv: string[]): Promise<number> {
  void argv;
  process.stderr.write('prescient verify: not implemented yet\n');
  return 2;
}
