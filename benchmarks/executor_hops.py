#!/usr/bin/env python3
"""Pairs each swift_task_enqueueGlobal with the swift_task_switch before it on the same thread, and counts the jobs
per request by the module (or function) whose resume point asked for the switch. Input: `perf script -F tid,event,trace`
of the two probes that executor_hops.sh sets, the binary's symbols (`nm -n`), its load address and the request count.

  executor_hops.py TRACE NM_FILE LOAD_ADDRESS REQUESTS [--functions N]
"""
import bisect
import collections
import re
import subprocess
import sys


def main():
    trace, nm_file, base, requests = sys.argv[1], sys.argv[2], int(sys.argv[3], 16), float(sys.argv[4])
    functions = int(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[5] == "--functions" else 0
    addresses, names = [], []
    for line in open(nm_file):
        parts = line.split()
        if len(parts) >= 3:
            addresses.append(int(parts[0], 16))
            names.append(parts[2])
    last, hops, unpaired = {}, collections.Counter(), 0
    for line in open(trace):
        tid = line.split(None, 1)[0] if line.strip() else None
        if "swift_task_switch" in line:
            match = re.search(r"fn=0x([0-9a-f]+)", line)
            if match:
                last[tid] = int(match.group(1), 16)
        elif "swift_task_enqueueGlobal" in line:
            if tid in last:
                hops[last.pop(tid)] += 1
            else:
                unpaired += 1  # a new task, a resumed continuation, a timer: not a switch

    def symbol(address):
        if address < base or address - base > addresses[-1]:
            return "(a shared library: the Swift runtime, Foundation)"
        return names[bisect.bisect_right(addresses, address - base) - 1]

    by_module, by_function = collections.Counter(), collections.Counter()
    for address, count in hops.items():
        name = symbol(address)
        # $s<length><Module>…, or $sS<standard type><length><Module>… for an extension of a standard library type.
        match = re.match(r"\$s(?:S[a-zA-Z]+)?(\d+)", name)
        by_module[name[len(match.group(0)):len(match.group(0)) + int(match.group(1))] if match else name] += count
        by_function[name] += count
    print(f"jobs queued after a switch: {sum(hops.values()) / requests:.1f} per request; "
          f"other enqueues (new tasks, continuations): {unpaired / requests:.1f} per request")
    for module, count in by_module.most_common(15):
        print(f"  {count / requests:6.1f}  {module}")
    if functions:
        top = [name for name, _ in by_function.most_common(functions)]
        demangled = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(top),
                                   capture_output=True, text=True).stdout.split("\n")
        for name, readable in zip(top, demangled):
            print(f"  {by_function[name] / requests:6.2f}  {readable[:140]}")


if __name__ == "__main__":
    main()
