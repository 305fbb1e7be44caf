// Benchmark op 1 of 7 (torch twin in ../torch_peer.py): tanh on 64 elements.
import { defineOp } from 'gradcheck';

export default defineOp({
  name: 'tanh 64',
  inputs: { x: [64] },
  forward: ({ x }) => x.tanh(),
});
