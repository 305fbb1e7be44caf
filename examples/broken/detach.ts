// BROKEN on purpose: `.detach()` inside the forward severs the graph, so w never gets a gradient
// (it stays zero) although the output clearly depends on w.
import { defineOp } from 'gradcheck';

export const detached = defineOp({
  name: 'detach() severs the graph',
  inputs: { x: [4, 6], w: [6, 3] },
  forward: ({ x, w }) => x.matmul(w.detach()).tanh().sum(),
});
