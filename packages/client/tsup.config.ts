import { packageBuild } from '../../tsup.base.js';

// The browser entry (index) and the Node entry (node), chosen by export condition.
export default packageBuild(['src/index.ts', 'src/node.ts']);
