/** The users module's face: staff administration. The router is registered in trpc/router.ts. */
export {
  approveRequest,
  createUser,
  getUser,
  listAssignableStaff,
  listUsers,
  OWN_RESET_MESSAGE,
  resetPassword,
  toStaffUser,
  updateUser,
  type UsersDeps,
} from './service';
