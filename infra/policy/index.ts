import { PolicyPack } from '@pulumi/policy';
import { policies } from './src/allPolicies';

new PolicyPack('todobox-aws', {
  description: "The deployment guide's Security Review and Database Review, enforced on the AWS stack.",
  enforcementLevel: 'mandatory',
  policies,
});
