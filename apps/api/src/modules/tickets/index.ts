/** The tickets module's face: what other modules may use (the record-level rule of a technician's scope). */
export { visibleTickets, type TicketActor, type TicketReader } from './service';
