import { openReadModel } from '#projections';

/**
 * The read model the other contenders project into: this project's own `appointments`, made by its own migrations
 * (which also add the other read models' tables, left empty), so every contender maintains the same rows and index
 * entries, whatever index a later migration adds.
 */
export async function createAppointmentsTable(url: string): Promise<void> {
  const readModel = await openReadModel(url);
  await readModel.destroy();
}
