import fs from 'node:fs';
import path from 'node:path';
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';

/**
 * Every file under a local folder, as uploads into `containerDir`. Uploads (not bind mounts) work
 * on a remote Docker host too, and a changed file shows in the preview and replaces the container.
 */
export function uploadFolder(
  localDir: string,
  containerDir: string,
  include: (relativePath: string) => boolean = () => true,
): docker.types.input.ContainerUpload[] {
  const uploads: docker.types.input.ContainerUpload[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(localDir, full).split(path.sep).join('/');
      if (entry.isDirectory()) walk(full);
      else if (include(relative)) {
        uploads.push({ file: `${containerDir}/${relative}`, content: fs.readFileSync(full, 'utf8') });
      }
    }
  };
  walk(localDir);
  if (uploads.length === 0) throw new Error(`No files to upload under ${localDir}`);
  return uploads;
}

/** A secret as a file only the container's processes read (never an environment variable). */
export function secretFile(file: string, value: pulumi.Output<string>): docker.types.input.ContainerUpload {
  return { file, content: pulumi.secret(value), permissions: '0444' };
}
