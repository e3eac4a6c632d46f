/** Readable renderings of a VerifyReport: a terminal summary and ACCURACY.md. */
import type { VerifyReport } from './verify.js';
import { precision, recall, topReasons } from './verify.js';

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
/** How the summaries name the groups of blocks (BlockVerdict.group). */
const names: Record<string, string> = { generated: 'generated from the examples', given: 'mainnet (given)' };
/** Net gas, signed: negative saves. */
const gas = (n: number) => `${n > 0 ? '+' : ''}${n.toLocaleString('en-US')}`;

export function renderText(r: VerifyReport): string {
  const o = r.overall;
  const lines: string[] = [];
  lines.push(`blocks ${r.blocks.length}, transactions ${o.txs} (${o.complete} complete)`);
  lines.push(`storage slots: traced ${o.traced}, predicted ${o.predicted}, hit ${o.hit}`);
  lines.push(`recall ${pct(o.recall)}  precision ${pct(o.precision)}  violations ${o.violations}`);
  for (const [g, c] of Object.entries(r.groups ?? {})) {
    lines.push(`  ${g} (${c.blocks} blocks, ${c.txs} txs): recall ${pct(c.recall)}  precision ${pct(c.precision)}  violations ${c.violations}`);
  }
  lines.push(`balances: traced ${o.balanceTraced}, predicted ${o.balanceHit} (${pct(o.balanceTraced ? o.balanceHit / o.balanceTraced : 1)})`);
  lines.push(`accounts accessed: traced ${o.accountTraced}, listed ${o.accountPredicted}, both ${o.accountHit} (recall ${pct(o.accountTraced ? o.accountHit / o.accountTraced : 1)}, precision ${pct(o.accountPredicted ? o.accountHit / o.accountPredicted : 1)})`);
  if (o.listTxs > 0) lines.push(`EIP-2930 lists (${o.listTxs} txs that can carry one): net gas ${gas(o.listGasPays)} as hints --format eip2930 gives them, ${gas(o.listGasAll)} with --all-entries, ${gas(o.listGasTraced)} for lists of exactly what each tx accessed`);
  lines.push(`bindings depending on state an earlier transaction (or itself) may change: ${o.staleTxs} txs; really changed by an earlier tx: ${o.reallyStaleTxs} txs (${o.reallyStaleMissed} missed slots in them)`);
  lines.push(`predictions assuming an earlier transaction's write (rules/once-per-block.json): ${o.assumingTxs} txs; none of the assumed writers wrote it: ${o.failedAssumptionTxs} txs (${o.failedAssumptionMissed} missed slots in them)`);
  if (r.spread && r.spread.spreaders > 0) {
    const sp = r.spread;
    lines.push(
      `transactions with unbound writes that later bindings name: ${sp.spreaders} in ${sp.blocks} blocks; ${sp.naming} later txs name one ` +
        `(${sp.onlyBecause} of them for no other reason), holding ${sp.extra} of ${o.predicted - o.hit} over-predicted and ${sp.missed} of ${o.traced - o.hit} missed slots`,
    );
  }
  if (r.violations.length) {
    lines.push('', 'VIOLATIONS (complete, yet missed):');
    for (const v of r.violations.slice(0, 20)) lines.push(`  block ${v.block} tx ${v.index} ${v.hash}: ${v.missed.map((m) => `${m.address}:${m.slot}`).slice(0, 3).join(', ')}`);
  }
  if (r.misses.length) {
    lines.push('', 'misses by contract and function (top 15):');
    for (const g of r.misses.slice(0, 15)) {
      lines.push(`  ${g.misses} slots in ${g.txs} txs: ${g.address} ${g.selector}`);
      for (const x of g.reasons.slice(0, 2)) lines.push(`      ${x.count}  ${x.reason}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Plain statements of the common miss reasons (regex on the normalised reason, first match wins). */
const EXPLAINED: [RegExp, string][] = [
  [/assumes-prior/, 'the earlier updates of the same pair were predicted but did not happen (they reverted or took another path), so the accumulators were left out'],
  [/stale binding.*read as <value>/, 'keys bound from the value an earlier transaction was predicted to store, which it did not (it halted, reverted or took another path)'],
  [/stale binding/, 'keys bound from a pre-state value that an earlier transaction of the block changed'],
  [/already bound as a union/, 'a second call into a contract whose selector was unknown the first time: still not bound'],
  [/selector unknown \(input size of call at pc N unknown: widened/, 'a call made in a loop (a batch, a multicall past its third element): that iteration\'s input is not known, so the callee is not bound'],
  [/selector unknown \(.*(unknown memory|input of call|input word)/, 'the caller builds the callee\'s input in memory the analysis lost track of (copies at computed offsets, loops): the callee is not bound'],
  [/selector unknown \(.*RETURNDATASIZE/, 'the callee\'s input depends on an earlier call\'s return data size: the callee is not bound'],
  [/^limit-(paths|steps)/, 'an exploration limit cut the caller\'s or the contract\'s footprint short (large routers and aggregators)'],
  [/target unbound/, 'the callee\'s address is computed in a way the analysis lost (a loop-widened index, memory, a hash of unknown bytes)'],
  [/limit-depth/, 'a call chain re-entering the same call site (fee-on-transfer tokens swapping through a router, guarded by a lock the binder cannot see)'],
  [/cannot name|^unknown-slot: (read|write) /, 'a slot computed from values the analysis could not follow (loop counters, memory)'],
  [/created|may create it/, 'a contract created earlier in the block: its code was not in the pre-state'],
  [/^\(not reached and no diagnostic/, 'no diagnostic explains it: a binder or analyzer gap to investigate'],
];

export function explainReason(reason: string): string {
  for (const [re, text] of EXPLAINED) if (re.test(reason)) return text;
  return '';
}

export function renderMarkdown(r: VerifyReport, command: string, title = 'Prediction accuracy (prescient verify)'): string {
  const o = r.overall;
  const out: string[] = [];
  out.push(`## ${title}`, '');
  out.push('Generated by:', '', '```', command, '```', '');
  out.push(
    'Storage slots are (address, slot) pairs. Per transaction, *traced* = every slot it read or wrote in traced',
    'execution (reverted frames included); *predicted* = the `accessList` of `prescient hints`. Recall = predicted',
    'and traced / traced; precision = predicted and traced / predicted. A *violation* is a transaction the hints',
    'marked `complete: true` that still missed a slot.',
    '',
  );
  out.push('### Summary', '');
  out.push('| blocks | txs | complete | traced | predicted | recall | precision | violations | stale bindings |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [g, c] of Object.entries(r.groups ?? {})) {
    out.push(`| ${names[g] ?? g} (${c.blocks}) | ${c.txs} | ${c.complete} | ${c.traced} | ${c.predicted} | **${pct(c.recall)}** | **${pct(c.precision)}** | **${c.violations}** | ${c.staleTxs} |`);
  }
  out.push(`| all (${r.blocks.length}) | ${o.txs} | ${o.complete} | ${o.traced} | ${o.predicted} | ${pct(o.recall)} | ${pct(o.precision)} | ${o.violations} | ${o.staleTxs} |`);
  out.push('');
  out.push(
    '*stale bindings*: transactions whose binding read a value (a key, a call target, a proxy implementation) from a',
    'slot that an earlier transaction of the block, or the transaction itself, is predicted to write (or may write,',
    'for unbound writes): the keys are still bound from the pre-state, but the transaction is marked incomplete.',
    '',
  );
  for (const [g, c] of Object.entries(r.groups ?? {})) {
    out.push(
      `- ${names[g] ?? g}: ${c.staleTxs} of ${c.txs} transactions have such a binding (completeness lost); in ${c.reallyStaleTxs} an earlier ` +
        `transaction really wrote a slot the binding read (by the traces); those transactions missed ${c.reallyStaleMissed} slots in all, for any reason.`,
    );
  }
  out.push(
    '',
    '*assumed writes*: rules/once-per-block.json names state that only the block\'s first update of a contract touches',
    '(a Uniswap V2 pair\'s price accumulators); later updates leave it out of their hints, assuming one of the earlier',
    'ones runs as predicted, and are marked incomplete (`assumes`). An assumption *failed* when, by the traces, none',
    'of those earlier transactions wrote the slot.',
    '',
  );
  for (const [g, c] of Object.entries(r.groups ?? {})) {
    out.push(`- ${names[g] ?? g}: ${c.assumingTxs} of ${c.txs} transactions assume an earlier write; it failed in ${c.failedAssumptionTxs} (they missed ${c.failedAssumptionMissed} slots in all, for any reason).`);
  }
  out.push('');
  out.push('### Per block', '');
  out.push('| block | dir | txs | complete | traced | predicted | recall | precision | violations | stale | hints ms (warm) |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const b of r.blocks) {
    out.push(`| ${b.number} | ${b.dir.replace(/^.*\//, '')} | ${b.txs} | ${b.complete} | ${b.traced} | ${b.predicted} | ${pct(recall(b))} | ${pct(precision(b))} | ${b.violations} | ${b.staleTxs} | ${b.warmBindMs.toFixed(0)} |`);
  }
  out.push('');
  out.push(
    '*hints ms (warm)*: the block bound again in the same process, with its contracts analyzed and its frames\' specializations',
    'explored; the first binding of a block whose contracts are analyzed, and one from a `--cache` folder, are in',
    'BENCHMARKS.md (`node dist/bench/hints.js`).',
    '',
  );
  out.push(`Balances (accounts whose balance was read or changed, fee payments excluded): ${o.balanceHit} of ${o.balanceTraced} predicted.`, '');
  out.push(
    'Accounts (every account a transaction accessed, in EIP-2929\'s sense, against the addresses its `accessList` names;',
    'sender, coinbase and precompiles left out):',
    '',
  );
  for (const [g, c] of Object.entries(r.groups ?? {})) {
    out.push(`- ${names[g] ?? g}: ${c.accountTraced} accessed, ${c.accountPredicted} listed, ${c.accountHit} both: recall ${pct(c.accountTraced ? c.accountHit / c.accountTraced : 1)}, precision ${pct(c.accountPredicted ? c.accountHit / c.accountPredicted : 1)}.`);
  }
  out.push('');
  out.push(...listGasSection(r));
  if (r.spread && r.spread.spreaders > 0) out.push(...spreadSection(r));
  out.push('### Top reasons for the remaining misses', '');
  const tops = topReasons(r.misses, 12);
  const missed = o.traced - o.hit;
  if (missed > 0 && tops.length) {
    const share = (n: number) => `${((100 * n) / missed).toFixed(0)}%`;
    out.push(
      `${missed} traced slots were not predicted. Each miss is attributed to the diagnostics of the frame that ran in the`,
      'contract whose slot it is (or, when no bound frame ran there, to the unbound calls of the transaction). The largest',
      `causes: ${tops.slice(0, 3).map((t) => `${share(t.misses)} \`${t.reason.replace(/\s*\(.*$/, '').slice(0, 90)}\``).join(', ')}.`,
      '',
    );
  }
  out.push('| missed slots | reason | in plain words |', '| --- | --- | --- |');
  for (const t of tops) out.push(`| ${t.misses} | ${t.reason.replace(/\|/g, '\\|')} | ${explainReason(t.reason)} |`);
  out.push('', '### Misses by contract and function', '');
  out.push('| missed slots | txs | storage of | function | reasons (missed slots) |', '| --- | --- | --- | --- | --- |');
  for (const g of r.misses.slice(0, 30)) {
    const rs = g.reasons.slice(0, 3).map((x) => `${x.count}: ${x.reason}`).join('<br>').replace(/\|/g, '\\|');
    out.push(`| ${g.misses} | ${g.txs} | ${g.address} | ${g.selector} | ${rs} |`);
  }
  out.push('');
  return out.join('\n');
}

/** Which transactions' unbound writes made the rest of their block incomplete, and what that cost. */
function spreadSection(r: VerifyReport): string[] {
  const o = r.overall, sp = r.spread;
  const share = (n: number, of: number) => (of === 0 ? '0%' : `${((100 * n) / of).toFixed(0)}%`);
  const out: string[] = ['### Transactions that degrade the rest of their block', ''];
  out.push(
    'A transaction whose writes could not all be bound (an unbound call target, a slot the analysis cannot name, keys',
    'bound from a value that may be stale) may have written anything: every later binding that read state names it and',
    'is incomplete. One of them early in a block leaves the rest of it incomplete; binding it better would make the',
    'later transactions that name nothing else complete. Their missed and over-predicted slots below are for any reason.',
    '',
    `- ${sp.spreaders} such transactions in ${sp.blocks} of ${r.blocks.length} blocks; ${sp.naming} later transactions name at least one ` +
      `(${sp.onlyBecause} of them for no other reason: complete, had those writes been bound).`,
    `- The naming transactions hold ${sp.extra} of the ${o.predicted - o.hit} over-predicted slots (${share(sp.extra, o.predicted - o.hit)}) and ` +
      `${sp.missed} of the ${o.traced - o.hit} missed ones (${share(sp.missed, o.traced - o.hit)}), for any reason.`,
    '',
    '| block | tx | to | selector | why its writes are unbound | later txs naming it | of them for no other reason | their missed slots | their over-predicted slots |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const x of r.spreaders.slice(0, 15)) {
    out.push(`| ${x.block} | ${x.index} | ${x.to ?? '(create)'} | ${x.selector} | ${x.cause.replace(/\|/g, '\\|')} | ${x.later} | ${x.onlyBecause} | ${x.missed} | ${x.extra} |`);
  }
  out.push(
    '',
    'A later transaction may name several of them: the per-row counts overlap, the totals above do not. For writes that',
    'may land anywhere, bindings name the block\'s first such transaction only: binding it may bring the next one to light.',
    '',
  );
  return out;
}

/** The gas an EIP-2930 list built from the hints adds or saves, per group of blocks (TxVerdict.listGas). */
function listGasSection(r: VerifyReport): string[] {
  const groups = Object.entries(r.groups ?? {}).filter(([, c]) => c.listTxs > 0);
  if (groups.length === 0) return [];
  const out = [
    '### Gas of the EIP-2930 lists',
    '',
    'What attaching each transaction\'s list would add to its gas (negative: saves), priced from its trace by EIP-2929',
    'and EIP-2930 (src/verify/gas.ts), in blocks whose transactions can carry one (Berlin and later). A listed entry',
    'the transaction uses saves 100 gas, one it does not use costs 1,900 (a key) or 2,400 (an address). *default*:',
    '`prescient hints --format eip2930` (the keyed entries of complete predictions, and of those incomplete only for',
    'their assumed writes); *all entries*: with `--all-entries`; *traced*: the best list given what the transaction',
    'really accessed (what eth_createAccessList finds by executing it), the most any list can save.',
    '',
    '| blocks | txs | default | all entries | traced |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [g, c] of groups) {
    const bs = r.blocks.filter((b) => b.group === g && b.listTxs > 0).length;
    out.push(`| ${names[g] ?? g} (${bs}) | ${c.listTxs} | **${gas(c.listGasPays)}** | ${gas(c.listGasAll)} | ${gas(c.listGasTraced)} |`);
  }
  out.push('');
  return out;
}
