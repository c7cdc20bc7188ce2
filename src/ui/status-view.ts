import type { PlatformStatus } from '../runtime/types.js';
import { formatTable, type Ui } from './ui.js';

/** The "what runs where" table shown by up and status. */
export function renderStatus(ui: Ui, status: PlatformStatus): string {
  const { c } = ui;
  const stateText = (state: string): string =>
    state === 'running' ? c.green(state) : state === 'starting' ? c.yellow(state) : state === 'stopped' ? c.dim(state) : c.red(state);
  const rows = status.components.map((comp) => [
    comp.name,
    stateText(comp.state),
    comp.pid ? String(comp.pid) : '-',
    comp.address ?? '-',
    comp.uptimeS !== undefined ? formatDuration(comp.uptimeS) : '-',
    comp.detail ?? '',
  ]);
  const lines = [`runtime: ${status.runtime}  ${status.running ? c.green('up') : c.dim('down')}`, formatTable(['COMPONENT', 'STATE', 'PID', 'ADDRESS', 'UPTIME', 'DETAIL'], rows)];
  if (status.processing) {
    const p = status.processing;
    lines.push('', `${p.engine}${p.version ? ` ${p.version}` : ''}: streams ${p.streams.join(', ') || '-'}; queries ${p.queries.join(', ') || '-'}`);
  }
  if (status.endpoints) {
    const e = status.endpoints;
    lines.push('', `Kafka bootstrap: ${e.bootstrapServers}   MQTT: ${e.mqttUrl}${e.mqttsUrl && e.mqttsUrl !== e.mqttUrl ? `, ${e.mqttsUrl}` : ''}${e.ksqlUrl ? `   ksqlDB: ${e.ksqlUrl}` : ''}`);
  }
  return lines.join('\n');
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
