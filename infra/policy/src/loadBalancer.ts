import * as aws from '@pulumi/aws';
import { ResourceValidationPolicy, validateResourceOfType } from '@pulumi/policy';
import { guideItem } from './guide';

/**
 * ELB security policies that refuse anything older than TLS 1.2: the TLS-1-2 and FS-1-2 families and the
 * TLS13-1-2 / TLS13-1-3 families (the TLS13-1-0 and TLS13-1-1 ones still accept older clients).
 */
const TLS12_OR_NEWER_POLICY = /^ELBSecurityPolicy-(TLS-1-2|FS-1-2|TLS13-1-2|TLS13-1-3)-/;

interface ListenerSettings {
  protocol?: string;
  sslPolicy?: string;
  defaultActions: { type: string; redirect?: { protocol?: string; statusCode: string } }[];
}

function isPermanentRedirectToHttps(listener: ListenerSettings): boolean {
  return (
    listener.defaultActions.length > 0 &&
    listener.defaultActions.every(
      (action) =>
        action.type === 'redirect' && action.redirect?.protocol === 'HTTPS' && action.redirect.statusCode === 'HTTP_301',
    )
  );
}

function checkListener(listener: ListenerSettings, reportViolation: (message: string) => void): void {
  // An Application Load Balancer listener without a protocol listens in plain HTTP.
  const protocol = (listener.protocol ?? 'HTTP').toUpperCase();
  if (protocol === 'HTTPS') {
    if (listener.sslPolicy === undefined || !TLS12_OR_NEWER_POLICY.test(listener.sslPolicy)) {
      reportViolation(
        `The HTTPS listener must name a TLS 1.2+ sslPolicy such as ELBSecurityPolicy-TLS13-1-2-2021-06 ` +
          `(it has ${listener.sslPolicy ?? 'none, which leaves the choice to AWS'}).`,
      );
    }
    return;
  }
  if (protocol === 'HTTP') {
    if (!isPermanentRedirectToHttps(listener)) {
      reportViolation(
        'The HTTP listener may only redirect to HTTPS: its default action must be a redirect with ' +
          'protocol HTTPS and statusCode HTTP_301.',
      );
    }
    return;
  }
  reportViolation(`The listener must use HTTPS, or HTTP redirecting to HTTPS (it uses ${protocol}).`);
}

export const albHttpsOnly: ResourceValidationPolicy = {
  name: 'alb-https-only',
  description:
    'Load balancer listeners serve HTTPS with a TLS 1.2+ security policy; an HTTP listener only ' +
    'redirects permanently (301) to HTTPS.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Security Review', 'Verify HTTPS/SSL configuration'),
  remediationSteps:
    'Use protocol HTTPS with sslPolicy ELBSecurityPolicy-TLS13-1-2-2021-06, and give the HTTP listener a ' +
    'single redirect action { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" }.',
  validateResource: [
    validateResourceOfType(aws.lb.Listener, (listener, _args, reportViolation) =>
      checkListener(listener, reportViolation),
    ),
    validateResourceOfType(aws.alb.Listener, (listener, _args, reportViolation) =>
      checkListener(listener, reportViolation),
    ),
  ],
};

export const policies: ResourceValidationPolicy[] = [albHttpsOnly];
