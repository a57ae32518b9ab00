import * as aws from '@pulumi/aws';
import { ResourceValidationPolicy, validateResourceOfType } from '@pulumi/policy';
import { guideItem } from './guide';

export const imdsv2Required: ResourceValidationPolicy = {
  name: 'imdsv2-required',
  description:
    'Launch templates and instances require IMDSv2 session tokens, so a forged request from the app ' +
    "cannot read the instance role's credentials (which can read SECRET_KEY and SALT).",
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Security Review', 'Change SECRET_KEY in config.py'),
  remediationSteps: 'Set metadataOptions: { httpEndpoint: "enabled", httpTokens: "required" }.',
  validateResource: [
    validateResourceOfType(aws.ec2.LaunchTemplate, (template, _args, reportViolation) => {
      if (template.metadataOptions?.httpTokens !== 'required') {
        reportViolation('The launch template must set metadataOptions.httpTokens: "required" (IMDSv2).');
      }
    }),
    validateResourceOfType(aws.ec2.Instance, (instance, _args, reportViolation) => {
      if (instance.metadataOptions?.httpTokens !== 'required') {
        reportViolation('The instance must set metadataOptions.httpTokens: "required" (IMDSv2).');
      }
    }),
  ],
};

/** The launch template API carries booleans as strings ("true"); the provider also accepts a boolean. */
function isTrue(value: string | boolean | undefined): boolean {
  return value === true || value === 'true';
}

export const encryptedVolumes: ResourceValidationPolicy = {
  name: 'encrypted-volumes',
  description:
    'Every EBS volume is encrypted: launch template block devices, standalone volumes and instance root ' +
    'and data volumes (the servers hold the app environment with its secrets and the logs).',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Security Review', 'Change SALT value'),
  remediationSteps:
    'Declare the root device in blockDeviceMappings with ebs: { encrypted: "true" }; set encrypted: true on ' +
    'volumes and rootBlockDevice.',
  validateResource: [
    validateResourceOfType(aws.ec2.LaunchTemplate, (template, _args, reportViolation) => {
      const ebsMappings = (template.blockDeviceMappings ?? []).filter((mapping) => mapping.ebs !== undefined);
      if (ebsMappings.length === 0) {
        reportViolation(
          'The launch template must declare its root volume in blockDeviceMappings with ebs.encrypted "true"; ' +
            "otherwise the volume's encryption depends on the AMI.",
        );
      }
      for (const mapping of ebsMappings) {
        if (!isTrue(mapping.ebs?.encrypted)) {
          reportViolation(`The launch template's volume ${mapping.deviceName ?? ''} must set ebs.encrypted "true".`);
        }
      }
    }),
    validateResourceOfType(aws.ebs.Volume, (volume, _args, reportViolation) => {
      if (volume.encrypted !== true) {
        reportViolation('The EBS volume must set encrypted: true.');
      }
    }),
    validateResourceOfType(aws.ec2.Instance, (instance, _args, reportViolation) => {
      if (instance.rootBlockDevice?.encrypted !== true) {
        reportViolation('The instance must set rootBlockDevice.encrypted: true.');
      }
      for (const device of instance.ebsBlockDevices ?? []) {
        if (device.encrypted !== true) {
          reportViolation(`The instance's volume ${device.deviceName} must set encrypted: true.`);
        }
      }
    }),
  ],
};

export const policies: ResourceValidationPolicy[] = [imdsv2Required, encryptedVolumes];
